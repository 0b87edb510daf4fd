package dev.dynamo4j.testkit;

import dev.dynamo4j.events.EventTransport;
import dev.dynamo4j.events.InProcessEventTransport;

class InProcessEventTransportTest extends EventTransportConformance {
  @Override
  protected EventTransport newTransport() {
    return new InProcessEventTransport();
  }
}
