package dev.dynamo4j.internal.discovery;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.internal.config.Providers;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;
import java.util.List;

/** Finds the {@link DiscoveryProvider} for a backend name. */
public final class Discoveries {
  private Discoveries() {}

  /**
   * Connects to the backend {@code config.discoveryBackend()} names.
   *
   * @throws dev.dynamo4j.error.DynamoException {@code Unavailable} when no module on the class path provides it
   */
  public static Discovery create(RuntimeConfig config) {
    return Providers.select(DiscoveryProvider.class, "discovery backend", config.discoveryBackend(),
        DiscoveryProvider::name, DiscoveryProvider::isAvailable, DiscoveryProvider::priority).create(config);
  }

  /** The backend names available on the class path. */
  public static List<String> available() {
    return Providers.available(DiscoveryProvider.class, DiscoveryProvider::name, DiscoveryProvider::isAvailable);
  }
}
