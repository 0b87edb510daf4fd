package dev.dynamo4j.spi.network;

import dev.dynamo4j.discovery.TransportType;
import java.time.Duration;

/**
 * The worker side of a request plane: one per process, shared by every endpoint, routing each
 * request by the exact key its endpoint registered.
 *
 * <p>Admission is bounded (a pool of concurrent handlers plus a queue); when both are full the
 * request is rejected with {@code Server overloaded: worker at capacity}. An unknown key is
 * rejected with {@code Server unavailable: unknown endpoint <key>}.
 */
public interface RequestServer {
  /**
   * Routes {@code routingKey} to {@code handler} and returns the address to advertise in
   * discovery.
   *
   * @throws dev.dynamo4j.error.DynamoException of type {@code InvalidArgument} when the key is
   *     already registered
   */
  TransportType register(String routingKey, RequestHandler handler);

  /**
   * Stops routing {@code routingKey} (new requests are rejected as unknown), then waits up to
   * {@code drain} for the requests it already accepted to finish. Returns the number still
   * running when it gave up.
   */
  int unregister(String routingKey, Duration drain) throws InterruptedException;
}
