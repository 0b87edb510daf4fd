package dev.dynamo4j.spi.discovery;

import dev.dynamo4j.config.RuntimeConfig;

/**
 * Plugs a discovery backend in, found with {@link java.util.ServiceLoader} and chosen by name
 * ({@code DYN_DISCOVERY_BACKEND}). {@link #isAvailable()} and {@link #priority()} never throw.
 */
public interface DiscoveryProvider {
  /** The backend name, e.g. {@code mem}, {@code file}, {@code etcd}. */
  String name();

  default boolean isAvailable() {
    return true;
  }

  /** Higher wins when two providers share a name. */
  default int priority() {
    return 5;
  }

  /** Connects; failures are {@link dev.dynamo4j.error.DynamoException}s. */
  Discovery create(RuntimeConfig config);
}
