package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.testkit.NatsServerExtension;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NATS request plane (responses on the default TCP path: multiplexed between dynamo4j processes) passes the shared suite against a real nats-server. */
class NatsRequestTransportTest extends RequestTransportConformance {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  /** The response path under test: the default (multiplexed between dynamo4j processes). */
  protected ResponseStreamOptions responseStreams() {
    return ResponseStreamOptions.DEFAULTS;
  }

  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    RuntimeConfig cfg = tweak.apply(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("nats").responseStreams(responseStreams())).build();
    NatsRequestPlane plane = new NatsRequestPlane(NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build()), true, cfg);
    return DistributedRuntime.builder().config(cfg).requestPlane(plane).build();
  }

  /** The server's {@code max_payload} (the testkit's nats-server keeps the 1 MiB default). */
  @Override
  protected long requestLimitBytes() {
    return 1024 * 1024;
  }

  @Test
  void workersAdvertiseDynamosSubject() {
    ServedEndpoint s = worker.namespace(namespace).component("backend-x").endpoint("generate").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of("ok")));
    assertThat(s.instance().transport()).isEqualTo(new TransportType.NatsTcp(
        NatsRequestPlane.subject(namespace, "backend-x", "generate", worker.instanceId())));
    assertThat(s.instance().transport().address()).isEqualTo(namespace + "_backend-x.generate-" + Long.toHexString(worker.instanceId()));
    assertThat(NatsRequestPlane.subject("dynamo", "backend", "generate", 0x1f)).isEqualTo("dynamo_backend.generate-1f");
  }

  @Test
  void aPayloadOverMaxPayloadIsRefusedNamingBothSizes() throws Exception {
    worker.namespace(namespace).component("worker").endpoint("big").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of("never")));
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("big").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    String big = "x".repeat(2 * 1024 * 1024);
    assertThatThrownBy(() -> c.call(big))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument);
          assertThat(e.getMessage()).contains("max_payload is 1048576 bytes").containsPattern("\\d{7} bytes, but");
        });
  }
}
