package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.util.function.UnaryOperator;

/** The TCP request plane with Dynamo's per-stream call-home only ({@code DYN_TCP_RESPONSE_MUX=false}) passes the shared suite. */
class TcpLegacyRequestTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder()
        .config(tweak.apply(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("tcp")
            .responseStreams(ResponseStreamOptions.DEFAULTS.withMux(false))).build())
        .build();
  }
}
