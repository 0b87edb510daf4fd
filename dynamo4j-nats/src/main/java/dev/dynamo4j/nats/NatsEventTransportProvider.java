package dev.dynamo4j.nats;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.events.EventTransport;
import dev.dynamo4j.events.EventTransportProvider;
import dev.dynamo4j.config.RuntimeConfig;

/** {@code DYN_EVENT_PLANE=nats}, connected with {@code NATS_*}. */
public final class NatsEventTransportProvider implements EventTransportProvider {
  @Override
  public RuntimeConfig.EventPlaneMode mode() {
    return RuntimeConfig.EventPlaneMode.NATS;
  }

  @Override
  public EventTransport create(RuntimeConfig config, Discovery discovery) {
    return new NatsEventTransport(NatsConnections.connect(NatsConfig.forRuntime(config)), true, discovery);
  }
}
