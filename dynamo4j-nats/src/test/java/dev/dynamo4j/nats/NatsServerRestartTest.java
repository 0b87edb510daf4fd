package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.testkit.NatsServer;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server is killed (SIGKILL) and started again on the same port and store while our clients
 * stay up: jnats reconnects, and our code must neither lose acknowledged queue messages nor need a
 * restart to serve requests again.
 */
@Timeout(120)
class NatsServerRestartTest {
  NatsServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = NatsServer.start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  Connection connect() {
    return NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build());
  }

  @Test
  void acknowledgedQueueMessagesSurviveAServerRestart() throws Exception {
    try (Connection nc = connect()) {
      NatsQueue q = new NatsQueue(nc, "restart-jobs", NatsQueue.WORKER_GROUP, Duration.ofSeconds(3600), 1, Duration.ofSeconds(1));
      for (int i = 0; i < 50; i++) {
        q.enqueue(("job-" + i).getBytes(StandardCharsets.UTF_8));
      }
      // one message is in a worker's hands, unacknowledged, when the server dies
      NatsQueue.Delivery inFlight = q.dequeueExplicit(Duration.ofSeconds(5)).orElseThrow();
      assertThat(new String(inFlight.data(), StandardCharsets.UTF_8)).isEqualTo("job-0");

      server.kill();
      server.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> nc.getStatus() == Connection.Status.CONNECTED);

      Set<String> seen = new HashSet<>();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
        q.dequeueExplicit(Duration.ofSeconds(1)).ifPresent(d -> {
          seen.add(new String(d.data(), StandardCharsets.UTF_8));
          d.ack();
        });
        return seen.size() == 50;
      });
      assertThat(seen).contains("job-0", "job-49");
      assertThat(q.pending()).isZero();
    }
  }

  @Test
  void theRequestPlaneServesAgainAfterAServerRestart() throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("mem").requestPlane("nats").build();
    try (DistributedRuntime worker = runtime(cfg); DistributedRuntime caller = runtime(cfg)) {
      worker.namespace("restart").component("echo").endpoint("generate").serve(String.class, (Context<String> req) ->
          ResponseStream.of(req.controller(), List.of("echo " + req.value())));
      Client<String, String> client = caller.namespace("restart").component("echo").endpoint("generate").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));
      assertThat(client.call("one").toList()).containsExactly("echo one");

      server.kill();
      server.restart();

      // no process restart: the subscription comes back with jnats's reconnect
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.call("two").toList().equals(List.of("echo two")));
      assertThat(client.call("three").toList()).containsExactly("echo three");
      assertThat(worker.metrics().text())
          .contains("dynamo4j_request_plane_connected{plane=\"nats\"} 1")
          .containsPattern("dynamo4j_request_plane_reconnects_total\\{plane=\"nats\"} [1-9]");
    }
  }

  @Test
  void theKeyValueStoreReportsItsConnectionAndReconnects() throws Exception {
    NatsKeyValueStore store = new NatsKeyValueStore(connect(), true, Duration.ofSeconds(10));
    try {
      assertThat(store.gauges()).containsEntry("connected", 1L).containsEntry("reconnects_total", 0L);
      server.kill();
      await().atMost(Duration.ofSeconds(30)).until(() -> store.gauges().get("connected") == 0L);
      server.restart();
      await().atMost(Duration.ofSeconds(60)).until(() -> store.gauges().get("connected") == 1L);
      assertThat(store.gauges().get("reconnects_total")).isPositive();
    } finally {
      store.shutdown();
    }
  }

  DistributedRuntime runtime(RuntimeConfig cfg) {
    return DistributedRuntime.builder().config(cfg).requestPlane(new NatsRequestPlane(connect(), true, cfg)).build();
  }
}
