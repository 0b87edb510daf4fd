package dev.dynamo4j.network;

import dev.dynamo4j.runtime.TransportType;
import java.util.Map;

/** The caller side of a request plane: sends one request envelope and waits for its ACK. */
public interface RequestClient {
  /**
   * Sends {@code payload} to {@code address} and blocks until the worker acknowledges it.
   *
   * @throws dev.dynamo4j.error.DynamoException {@code WorkerOverloaded} or {@code
   *     WorkerUnavailable} when the worker rejected it; {@code CannotConnect} when it could not be
   *     delivered or acknowledged in time; {@code InvalidArgument} when it is too large
   */
  void send(TransportType address, Map<String, String> headers, byte[] payload) throws InterruptedException;
}
