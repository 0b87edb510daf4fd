package dev.dynamo4j.testkit;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.runtime.DistributedRuntime;
import java.util.function.UnaryOperator;

/** The in-process request plane passes the shared request-transport suite. */
class InProcessRequestTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder().config(tweak.apply(RuntimeConfig.builder().discoveryBackend("mem")
        .requestPlane(RuntimeConfig.IN_PROCESS).eventPlane(RuntimeConfig.IN_PROCESS)).build()).build();
  }

  /** In process a request is handed over as an object: no limit. */
  @Override
  protected long requestLimitBytes() {
    return -1;
  }
}
