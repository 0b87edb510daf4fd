package dev.dynamo4j.testkit;

import dev.dynamo4j.internal.events.InProcessEventTransport;
import dev.dynamo4j.spi.events.EventTransport;

class InProcessEventTransportTest extends EventTransportConformance {
  @Override
  protected EventTransport newTransport() {
    return new InProcessEventTransport();
  }

  /** The bus drops for a full subscriber; a buffer as large as the flood keeps it from having to. */
  @Override
  protected EventTransport newLosslessTransport() {
    return new InProcessEventTransport(flatOutEvents() + 1000);
  }
}
