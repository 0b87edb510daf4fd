package dev.dynamo4j.pipeline;

/** Receives values from an upstream {@link Source}. Called on the sender's thread. */
public interface Sink<T> {
  /**
   * Handles one value.
   *
   * @throws RuntimeException any failure propagates back to the sender (and so to the caller of
   *     the pipeline's {@code generate})
   */
  void onData(T data);
}
