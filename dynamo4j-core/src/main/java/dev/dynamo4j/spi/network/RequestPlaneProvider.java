package dev.dynamo4j.spi.network;

import dev.dynamo4j.config.RuntimeConfig;

/**
 * Plugs a request plane in, found with {@link java.util.ServiceLoader} and chosen by {@code
 * DYN_REQUEST_PLANE}. {@link #isAvailable()} and {@link #priority()} never throw.
 */
public interface RequestPlaneProvider {
  /**
   * The name {@code DYN_REQUEST_PLANE} gives this plane ({@code tcp}, {@code nats}, {@code zmq});
   * the module also offers it through {@link dev.dynamo4j.spi.config.SettingsProvider#choices()}.
   */
  String name();

  default boolean isAvailable() {
    return true;
  }

  default int priority() {
    return 5;
  }

  /** Creates the plane for one runtime; servers start lazily. */
  RequestPlane create(RuntimeConfig config);
}
