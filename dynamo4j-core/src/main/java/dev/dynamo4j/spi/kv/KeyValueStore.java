package dev.dynamo4j.spi.kv;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A store of buckets of keys, the layer every discovery backend but Kubernetes sits on.
 *
 * <p>{@link #connectionId()} identifies this client (a random 64-bit value for memory and file,
 * the lease id for etcd); records it creates belong to it and {@link #shutdown()} removes them.
 * Failures are {@link StoreException}s.
 */
public interface KeyValueStore extends AutoCloseable {
  /**
   * Opens a bucket, creating it if needed.
   *
   * @param ttl how long records live without their owner keeping them alive (file store; ignored
   *     elsewhere); {@code null} for the backend default
   */
  Bucket getOrCreateBucket(String name, Duration ttl);

  /** An existing bucket, or empty. */
  Optional<Bucket> getBucket(String name);

  long connectionId();

  /** Deletes the records this client owns and stops its background work. Idempotent. */
  void shutdown();

  /** Registers for changes of {@link #connectionId()}; stores whose id never changes ignore it. */
  default void addConnectionListener(ConnectionListener listener) {}

  /**
   * Point-in-time figures of this store for the metrics, exported as {@code
   * dynamo4j_discovery_<name>{backend}} (a name ending in {@code _total} is a counter, any other a
   * gauge), e.g. {@code connected} (1 or 0); read when metrics are scraped, must be cheap and
   * thread-safe. None by default.
   */
  default Map<String, Long> gauges() {
    return Map.of();
  }

  @Override
  default void close() {
    shutdown();
  }
}
