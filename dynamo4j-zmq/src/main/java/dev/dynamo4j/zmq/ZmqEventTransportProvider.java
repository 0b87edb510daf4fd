package dev.dynamo4j.zmq;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.spi.events.EventTransportProvider;

/** Provides the ZMQ event plane for {@code DYN_EVENT_PLANE=zmq} (the default). */
public final class ZmqEventTransportProvider implements EventTransportProvider {
  @Override
  public String name() {
    return "zmq";
  }

  @Override
  public EventTransport create(RuntimeConfig config, Discovery discovery) {
    String brokerUrl = ZmqSettings.BROKER_URL.read(config.variables());
    BrokerUrls brokers = brokerUrl == null ? null : BrokerUrls.parse(brokerUrl);
    return new ZmqEventTransport(discovery, config.eventPlaneHost(), 100_000, brokers, ZmqSettings.BROKER_ENABLED.read(config.variables()), ZmqSettings.events(config));
  }
}
