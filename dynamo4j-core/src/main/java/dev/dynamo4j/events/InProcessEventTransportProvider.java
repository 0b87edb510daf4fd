package dev.dynamo4j.events;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.config.RuntimeConfig;

/** The in-JVM event bus; always available. */
public final class InProcessEventTransportProvider implements EventTransportProvider {
  @Override
  public RuntimeConfig.EventPlaneMode mode() {
    return RuntimeConfig.EventPlaneMode.IN_PROCESS;
  }

  @Override
  public EventTransport create(RuntimeConfig config, Discovery discovery) {
    return new InProcessEventTransport();
  }
}
