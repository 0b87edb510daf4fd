package dev.dynamo4j.internal.events;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.spi.events.EventTransportProvider;

/** The in-JVM event bus; always available. */
public final class InProcessEventTransportProvider implements EventTransportProvider {
  @Override
  public String name() {
    return RuntimeConfig.IN_PROCESS;
  }

  @Override
  public EventTransport create(RuntimeConfig config, Discovery discovery) {
    return new InProcessEventTransport();
  }
}
