package dev.dynamo4j.spi.network;

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
   * Whether this handler may be tried on the transport's I/O thread first ({@link
   * #handleDirect}): true only for endpoints served in direct mode, whose engines never block.
   */
  default boolean direct() {
    return false;
  }

  /**
   * Direct mode: called on the transport's I/O thread, in arrival order, before the ACK is
   * written. Serves the request right there when nothing on its way would wait, and returns
   * null; otherwise returns the rest of the work, which the transport runs on a virtual thread
   * as it would {@link #handle} (admission limits apply to it: when the pool is full the
   * transport calls {@link Continuation#refused} instead and answers {@code Server overloaded}).
   * Must not block.
   */
  default Continuation handleDirect(byte[] payload, Map<String, String> headers) {
    return new Continuation() {
      @Override
      public void run() {
        handle(payload, headers);
      }

      @Override
      public void refused() {}
    };
  }

  /** What a direct-mode request left to do on a virtual thread. */
  interface Continuation extends Runnable {
    /** The worker pool was full: release whatever the request holds; {@link #run} never runs. */
    void refused();
  }

  /**
   * Told when a request for this endpoint was refused because the worker pool was full (the
   * caller got {@code Server overloaded}); called on the transport's thread, must be cheap.
   */
  default void onRejected() {}

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
