package dev.dynamo4j.testkit;

import dev.dynamo4j.runtime.DistributedRuntime;

/** The in-process request plane passes the shared request-transport suite. */
class InProcessRequestTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime() {
    return DistributedRuntime.processLocal();
  }

  /** In process a request is handed over as an object: no limit. */
  @Override
  protected long requestLimitBytes() {
    return -1;
  }
}
