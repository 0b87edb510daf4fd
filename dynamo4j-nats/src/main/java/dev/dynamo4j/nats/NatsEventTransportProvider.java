package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.spi.events.EventTransportProvider;
import dev.dynamo4j.wire.PayloadCodec;

/** {@code DYN_EVENT_PLANE=nats}, connected with {@code NATS_*}. */
public final class NatsEventTransportProvider implements EventTransportProvider {
  @Override
  public String name() {
    return "nats";
  }

  /** Dynamo's NATS event plane carries JSON payloads by default. */
  @Override
  public PayloadCodec defaultCodec() {
    return PayloadCodec.JSON;
  }

  @Override
  public EventTransport create(RuntimeConfig config, Discovery discovery) {
    return new NatsEventTransport(NatsConnections.connect(NatsConfig.forRuntime(config)), true, discovery);
  }
}
