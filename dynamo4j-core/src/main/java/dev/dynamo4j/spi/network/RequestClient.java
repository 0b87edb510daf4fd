package dev.dynamo4j.spi.network;

import dev.dynamo4j.discovery.TransportType;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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

  /**
   * Sends {@code payload} and returns at once; the future completes when the worker acknowledged
   * it, or fails with what {@link #send} would throw (a transport that cannot do better sends
   * synchronously, which is this default). The future always completes: a missing ACK fails it
   * after the transport's request timeout. Its callbacks may run on an I/O thread.
   */
  default CompletableFuture<Void> sendAsync(TransportType address, Map<String, String> headers, byte[] payload) throws InterruptedException {
    send(address, headers, payload);
    return CompletableFuture.completedFuture(null);
  }
}
