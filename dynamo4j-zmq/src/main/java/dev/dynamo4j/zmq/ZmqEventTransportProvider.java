package dev.dynamo4j.zmq;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
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
    if (config.zmqBrokerUrl() != null || config.zmqBrokerEnabled()) {
      throw new DynamoException(ErrorType.NotImplemented, "ZMQ broker mode (DYN_ZMQ_BROKER_URL / DYN_ZMQ_BROKER_ENABLED) is not implemented yet in dynamo4j; unset it to use direct mode");
    }
    return new ZmqEventTransport(discovery, config.eventPlaneHost(), 100_000);
  }
}
