package dev.dynamo4j.zmq;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.events.EventTransport;
import dev.dynamo4j.events.EventTransportProvider;
import dev.dynamo4j.runtime.RuntimeConfig;

/** Provides the ZMQ event plane for {@code DYN_EVENT_PLANE=zmq} (the default). */
public final class ZmqEventTransportProvider implements EventTransportProvider {
  @Override
  public RuntimeConfig.EventPlaneMode mode() {
    return RuntimeConfig.EventPlaneMode.ZMQ;
  }

  @Override
  public EventTransport create(RuntimeConfig config, Discovery discovery) {
    BrokerUrls brokers = config.zmqBrokerUrl() == null ? null : BrokerUrls.parse(config.zmqBrokerUrl());
    return new ZmqEventTransport(discovery, config.eventPlaneHost(), 100_000, brokers, config.zmqBrokerEnabled(), config.zmqEvents());
  }
}
