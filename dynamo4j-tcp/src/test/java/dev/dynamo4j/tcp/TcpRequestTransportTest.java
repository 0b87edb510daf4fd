package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The TCP request plane with its defaults (responses on the multiplexed path) passes the shared
 * request-transport suite (loopback, memory discovery).
 */
class TcpRequestTransportTest extends RequestTransportConformance {
  static RuntimeConfig config() {
    return RuntimeConfig.builder().discoveryBackend("mem").requestPlane("tcp").build();
  }

  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder().config(tweak.apply(config().toBuilder()).build()).build();
  }

  @Test
  void responsesTravelOnThePersistentMuxByDefault() throws Exception {
    serveCounter(worker, "count");
    assertThat(client("count").call(3).toList()).hasSize(3);
    assertThat(((TcpResponsePlane) worker.requestPlane().responsePlane()).muxConnections()).isEqualTo(1);
  }
}
