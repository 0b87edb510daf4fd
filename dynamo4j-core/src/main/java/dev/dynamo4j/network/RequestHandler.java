package dev.dynamo4j.network;

import java.util.Map;

/**
 * Handles one accepted request on the worker side. Called on a virtual thread after the
 * transport has sent the ACK, so it may block for as long as the request takes.
 */
@FunctionalInterface
public interface RequestHandler {
  /**
   * @param payload the request envelope ({@link dev.dynamo4j.wire.TwoPartMessage} bytes); owned
   *     by the handler
   * @param headers the transport headers ({@code request-id}, trace context)
   */
  void handle(byte[] payload, Map<String, String> headers);

  /**
   * This endpoint's own statistics, reported as the {@code data} of its NATS service STATS reply
   * (Dynamo's per-endpoint stats handler); any value Jackson can serialise, or null for none.
   * Called on a virtual thread for each scrape, concurrently with requests; keep it quick. A
   * throwing handler reports {@code null}.
   */
  default Object stats() {
    return null;
  }
}
