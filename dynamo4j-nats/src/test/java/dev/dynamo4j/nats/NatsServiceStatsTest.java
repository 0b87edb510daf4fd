package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.internal.Version;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.testkit.NatsServerExtension;
import dev.dynamo4j.wire.Json;
import io.nats.client.Connection;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** NATS micro-service STATS/INFO/PING of components served on the NATS request plane (spec §3.4). */
@Timeout(60)
class NatsServiceStatsTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  static Connection connect() {
    return NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build());
  }

  static DistributedRuntime runtime() {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("mem").requestPlane("nats").build();
    return DistributedRuntime.builder().config(cfg).requestPlane(new NatsRequestPlane(connect(), true, cfg)).build();
  }

  @Test
  void everyWorkerOfAComponentReportsItsEndpointsCountersAndData() throws Exception {
    String ns = "stats-" + System.nanoTime();
    AtomicInteger scrapes = new AtomicInteger();
    try (DistributedRuntime w1 = runtime(); DistributedRuntime w2 = runtime(); DistributedRuntime caller = runtime(); Connection nc = connect()) {
      for (DistributedRuntime w : List.of(w1, w2)) {
        long me = w.instanceId();
        w.namespace(ns).component("backend").endpoint("generate")
            .statsHandler(() -> Map.of("worker", Long.toHexString(me), "scrape", scrapes.incrementAndGet()))
            .serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok")));
      }
      w1.namespace(ns).component("backend").endpoint("no-stats").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok")));
      w1.namespace(ns).component("backend").endpoint("broken")
          .statsHandler(() -> {
            throw new IllegalStateException("boom");
          })
          .serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok")));
      Client<String, String> c = caller.namespace(ns).component("backend").endpoint("generate").client(String.class);
      c.waitForInstances(Duration.ofSeconds(10));
      for (int i = 0; i < 4; i++) {
        assertThat(c.call("hi").toList()).containsExactly("ok");
      }

      String service = NatsServiceStats.serviceName(ns, "backend");
      NatsServiceStats.Result r = NatsServiceStats.collect(nc, service, Duration.ofMillis(500));
      assertThat(r.unreadable()).isZero();
      assertThat(r.services()).hasSize(2);
      long total = 0;
      for (NatsServiceStats.ServiceStats s : r.services()) {
        assertThat(s.name()).isEqualTo(service);
        assertThat(s.version()).isEqualTo(Version.get());
        assertThat(s.raw().path("type").asText()).isEqualTo("io.nats.micro.v1.stats_response");
        assertThat(Instant.parse(s.started())).isBefore(Instant.now().plusSeconds(1));
        NatsServiceStats.EndpointStats gen = s.endpoints().stream().filter(e -> e.name().startsWith("generate-")).findFirst().orElseThrow();
        long id = gen.instanceId().orElseThrow();
        assertThat(id).isIn(w1.instanceId(), w2.instanceId());
        assertThat(gen.subject()).isEqualTo(NatsRequestPlane.subject(ns, "backend", "generate", id));
        assertThat(gen.queueGroup()).isEqualTo("q");
        assertThat(gen.data().path("worker").asText()).isEqualTo(Long.toHexString(id));
        assertThat(gen.numErrors()).isZero();
        if (gen.numRequests() > 0) {
          assertThat(gen.averageProcessingTimeNanos()).isPositive().isLessThanOrEqualTo(gen.processingTimeNanos());
        }
        total += gen.numRequests();
        if (id == w1.instanceId()) {
          assertThat(s.endpoints()).extracting(NatsServiceStats.EndpointStats::name)
              .containsExactlyInAnyOrder("generate-" + Long.toHexString(id), "no-stats-" + Long.toHexString(id), "broken-" + Long.toHexString(id));
          assertThat(s.endpoints()).filteredOn(e -> !e.name().startsWith("generate")).allSatisfy(e -> assertThat(e.data().isNull()).isTrue());
        }
      }
      assertThat(total).as("round robin spread four calls over the two workers").isEqualTo(4);
      assertThat(scrapes.get()).isEqualTo(2);

      JsonNode info = Json.MAPPER.readTree(nc.request("$SRV.INFO." + service + "." + r.services().get(0).id(), new byte[0], Duration.ofSeconds(5)).getData());
      assertThat(info.path("type").asText()).isEqualTo("io.nats.micro.v1.info_response");
      assertThat(info.path("description").asText()).isEqualTo("Dynamo component backend in namespace " + ns);
      JsonNode ping = Json.MAPPER.readTree(nc.request("$SRV.PING." + service, new byte[0], Duration.ofSeconds(5)).getData());
      assertThat(ping.path("type").asText()).isEqualTo("io.nats.micro.v1.ping_response");

      w2.close();
      assertThat(NatsServiceStats.collect(nc, service, Duration.ofMillis(300)).services()).as("a closed worker stops answering").hasSize(1);
    }
  }

  @Test
  void aSlowStatsHandlerNeitherBlocksPingNorPilesUpThreads() throws Exception {
    String ns = "slow-" + System.nanoTime();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    try (DistributedRuntime w = runtime(); Connection nc = connect()) {
      w.namespace(ns).component("backend").endpoint("generate")
          .statsHandler(() -> {
            running.incrementAndGet();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return Map.of("ok", true);
          })
          .serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok")));
      String service = NatsServiceStats.serviceName(ns, "backend");
      Subscription replies = nc.subscribe("slow.replies");
      for (int i = 0; i < NatsMicroService.STATS_CONCURRENCY + 4; i++) {
        nc.publish("$SRV.STATS." + service, "slow.replies", new byte[0]);
      }
      nc.flush(Duration.ofSeconds(5));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == NatsMicroService.STATS_CONCURRENCY);
      JsonNode ping = Json.MAPPER.readTree(nc.request("$SRV.PING." + service, new byte[0], Duration.ofSeconds(5)).getData());
      assertThat(ping.path("name").asText()).as("PING answered while every STATS slot is taken").isEqualTo(service);
      release.countDown();
      int got = 0;
      while (replies.nextMessage(Duration.ofSeconds(2)) != null) {
        got++;
      }
      assertThat(got).as("the requests beyond the slots were dropped, not queued").isEqualTo(NatsMicroService.STATS_CONCURRENCY);
      assertThat(running.get()).isEqualTo(NatsMicroService.STATS_CONCURRENCY);
    }
  }

  @Test
  void rejectedRequestsCountAsErrorsWithTheirText() {
    NatsMicroService.EndpointStats s = new NatsMicroService.EndpointStats("gen-1", "svc.gen-1", () -> null);
    s.record(1000, null);
    s.record(3000, "Server overloaded: worker at capacity");
    JsonNode n = s.toJson();
    assertThat(n.path("num_requests").asLong()).isEqualTo(2);
    assertThat(n.path("num_errors").asLong()).isEqualTo(1);
    assertThat(n.path("last_error").asText()).isEqualTo("Server overloaded: worker at capacity");
    assertThat(n.path("processing_time").asLong()).isEqualTo(4000);
    assertThat(n.path("average_processing_time").asLong()).isEqualTo(2000);
  }

  @Test
  void repliesAreReadLenientlyAndBadRequestsRefused() throws Exception {
    assertThat(NatsServiceStats.parse("not json".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(NatsServiceStats.parse("[1]".getBytes(StandardCharsets.UTF_8))).isNull();
    var s = NatsServiceStats.parse("{\"name\":\"x\",\"endpoints\":[{\"subject\":\"x.gen-zz\",\"extra\":1}]}".getBytes(StandardCharsets.UTF_8));
    assertThat(s.endpoints().get(0).numRequests()).isZero();
    assertThat(s.endpoints().get(0).instanceId()).isEmpty();
    try (Connection nc = connect()) {
      assertThat(NatsServiceStats.collect(nc, "nobody-here", Duration.ofMillis(200)).services()).isEmpty();
      assertThatThrownBy(() -> NatsServiceStats.collect(nc, "a.b", Duration.ofMillis(200))).hasMessageContaining("not a NATS service name");
      assertThatThrownBy(() -> NatsServiceStats.collect(nc, "x", Duration.ofSeconds(11))).hasMessageContaining("at most 10 s");
    }
  }
}
