package dev.dynamo4j.nats;

import dev.dynamo4j.network.ResponseStreamOptions;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import dev.dynamo4j.testkit.NatsServer;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Requests on NATS, responses on Dynamo's per-stream call-home ({@code DYN_TCP_RESPONSE_MUX=false}):
 * the other response path of the NATS plane passes the shared suite too ({@link
 * NatsRequestTransportTest} runs it with the default multiplexed responses).
 */
class NatsLegacyResponsesTransportTest extends RequestTransportConformance {
  static NatsServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = NatsServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected DistributedRuntime newRuntime() {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.RequestPlaneMode.NATS)
        .responseStreams(ResponseStreamOptions.DEFAULTS.withMux(false)).build();
    NatsRequestPlane plane = new NatsRequestPlane(NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build()), true, cfg);
    return DistributedRuntime.builder().config(cfg).requestPlane(plane).build();
  }
}
