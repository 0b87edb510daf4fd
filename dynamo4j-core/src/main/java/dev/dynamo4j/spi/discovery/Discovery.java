package dev.dynamo4j.spi.discovery;

import dev.dynamo4j.spi.kv.ConnectionListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How components find each other: register records, list them, watch them.
 *
 * <p>Implementations are thread-safe. Failures of the backend are {@link
 * dev.dynamo4j.error.DynamoException}s of type {@code Unavailable} or {@code CannotConnect}.
 */
public interface Discovery extends AutoCloseable {
  /** This process's identity in discovery; the instance id of everything it registers. */
  long instanceId();

  /** Registers a record under this client's instance id and returns it. */
  DiscoveryInstance register(DiscoverySpec spec);

  /** Removes a record this client registered; removing an absent record is not an error. */
  void unregister(DiscoveryInstance instance);

  /** A snapshot of the records matching the query. */
  List<DiscoveryInstance> list(DiscoveryQuery query);

  /** A snapshot plus every later change, as events. */
  DiscoveryWatch listAndWatch(DiscoveryQuery query);

  /** Removes this client's records and releases its resources. */
  void shutdown();

  /**
   * Registers for changes of {@link #instanceId()} (etcd: a lost lease replaced by a new one) and
   * its final loss; backends whose identity never changes ignore it.
   */
  default void addConnectionListener(ConnectionListener listener) {}

  /**
   * This process's discovery metadata as JSON, for the status server's {@code GET /metadata}
   * (Dynamo serves it on Kubernetes, the one backend that keeps one); empty elsewhere.
   */
  default Optional<byte[]> metadata() {
    return Optional.empty();
  }

  /** Figures of the store under this client, as {@link dev.dynamo4j.spi.kv.KeyValueStore#gauges()}. None by default. */
  default Map<String, Long> gauges() {
    return Map.of();
  }

  @Override
  default void close() {
    shutdown();
  }
}
