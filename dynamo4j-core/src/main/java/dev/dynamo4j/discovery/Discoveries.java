package dev.dynamo4j.discovery;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.RuntimeConfig;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the {@link DiscoveryProvider} for a backend name. */
public final class Discoveries {
  private Discoveries() {}

  /**
   * Connects to the backend {@code config.discoveryBackend()} names.
   *
   * @throws DynamoException {@code Unavailable} when no module on the class path provides it
   */
  public static Discovery create(RuntimeConfig config) {
    String name = config.discoveryBackend();
    return ServiceLoader.load(DiscoveryProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals(name) && p.isAvailable())
        .max(Comparator.comparingInt(DiscoveryProvider::priority))
        .orElseThrow(() -> new DynamoException(
            ErrorType.Unavailable,
            "discovery backend '" + name + "' is not available: put the dynamo4j module that provides it on the class path (have "
                + available() + ")"))
        .create(config);
  }

  /** The backend names available on the class path. */
  public static List<String> available() {
    return ServiceLoader.load(DiscoveryProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(DiscoveryProvider::isAvailable)
        .map(DiscoveryProvider::name)
        .sorted()
        .distinct()
        .toList();
  }
}
