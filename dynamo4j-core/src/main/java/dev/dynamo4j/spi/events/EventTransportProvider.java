package dev.dynamo4j.spi.events;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.wire.PayloadCodec;

/**
 * Plugs an event transport in, found with {@link java.util.ServiceLoader} and chosen by {@code
 * DYN_EVENT_PLANE}. {@link #isAvailable()} and {@link #priority()} never throw.
 */
public interface EventTransportProvider {
  /**
   * The name {@code DYN_EVENT_PLANE} gives this plane ({@code zmq}, {@code nats}); the module also
   * offers it through {@link dev.dynamo4j.spi.config.SettingsProvider#choices()}.
   */
  String name();

  /** The codec of event payloads when {@code DYN_EVENT_PLANE_CODEC} is not set. */
  default PayloadCodec defaultCodec() {
    return PayloadCodec.MSGPACK;
  }

  default boolean isAvailable() {
    return true;
  }

  default int priority() {
    return 5;
  }

  /** Creates the transport of one runtime; it may register publications in {@code discovery}. */
  EventTransport create(RuntimeConfig config, Discovery discovery);
}
