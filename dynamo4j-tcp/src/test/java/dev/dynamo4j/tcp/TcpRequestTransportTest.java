package dev.dynamo4j.tcp;

import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import dev.dynamo4j.testkit.RequestTransportConformance;

/** The TCP request plane passes the shared request-transport suite (loopback, memory discovery). */
class TcpRequestTransportTest extends RequestTransportConformance {
  static RuntimeConfig config() {
    return RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.RequestPlaneMode.TCP).build();
  }

  @Override
  protected DistributedRuntime newRuntime() {
    return DistributedRuntime.builder().config(config()).build();
  }
}
