package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TCP plane's figures in the runtime's metrics. */
@Timeout(60)
class TcpMetricsTest {
  @Test
  void connectionsShowOnBothSides() throws Exception {
    try (DistributedRuntime worker = DistributedRuntime.builder().config(TcpInteropTest.config(true)).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(TcpInteropTest.config(true)).build()) {
      String ns = "metrics" + System.nanoTime();
      worker.namespace(ns).component("c").endpoint("e").serve(Integer.class, (Context<Integer> req) -> ResponseStream.of(req.controller(), List.of("x")));
      Client<Integer, String> c = caller.namespace(ns).component("c").endpoint("e").client(String.class);
      c.waitForInstances(Duration.ofSeconds(10));
      assertThat(c.call(1).toList()).containsExactly("x");
      assertThat(worker.metrics().text())
          .contains("dynamo4j_request_plane_server_connections{plane=\"tcp\"} 1")
          .contains("dynamo4j_request_plane_mux_connections{plane=\"tcp\"} 1")
          .contains("dynamo_component_requests_total{");
      assertThat(caller.metrics().text())
          .contains("dynamo4j_request_plane_client_connections{plane=\"tcp\"} 1")
          .contains("dynamo4j_request_plane_pending_streams{plane=\"tcp\"} 0")
          .contains("dynamo4j_request_plane_ack_latency_seconds_count{plane=\"tcp\"} 1")
          .contains("dynamo4j_request_plane_ack_latency_seconds_bucket{plane=\"tcp\",le=\"+Inf\"} 1");
    }
  }
}
