package dev.dynamo4j.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Annotated;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.SystemStatusOptions;
import dev.dynamo4j.wire.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Canary health checks (spec §5.4) against engines that answer, hang and answer again. */
@Timeout(60)
class CanaryTest {
  private static DistributedRuntime runtime(Duration wait, Duration timeout, String globalPayload) {
    SystemStatusOptions o = SystemStatusOptions.DEFAULTS.withCanaries(true, wait, timeout,
        globalPayload == null ? null : Json.parse("test", globalPayload.getBytes()));
    return DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS).systemStatus(o).build())
        .build();
  }

  @Test
  void anEndpointIsNotReadyUntilItsCanaryAnswersThenFollowsItsAnswers() throws Exception {
    AtomicReference<CountDownLatch> stuck = new AtomicReference<>();
    AtomicInteger canaries = new AtomicInteger();
    try (DistributedRuntime rt = runtime(Duration.ofMillis(200), Duration.ofMillis(300), null)) {
      rt.namespace("ns").component("worker").endpoint("generate").healthCheckPayload(Map.of("prompt", "ping"))
          .serve(Map.class, (Context<Map> req) -> {
            if ("ping".equals(req.value().get("prompt"))) {
              canaries.incrementAndGet();
            }
            CountDownLatch gate = stuck.get();
            return ResponseStream.generate(req, out -> {
              if (gate != null) {
                gate.await(); // a hung engine: no first item until released
              }
              out.emit("pong");
            });
          });
      assertThat(rt.health().endpoints()).containsEntry("generate", false);
      assertThat(rt.health().isReady()).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> rt.health().isReady());
      assertThat(canaries.get()).isPositive();
      assertThat(rt.health().endpoints()).containsEntry("generate", true);

      CountDownLatch gate = new CountDownLatch(1);
      stuck.set(gate);
      await().atMost(Duration.ofSeconds(10)).until(() -> !rt.health().isReady());
      assertThat(rt.health().endpoints()).containsEntry("generate", false);

      stuck.set(null);
      gate.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> rt.health().isReady());
    }
  }

  @Test
  void anErrorAsFirstItemIsNotReadyAndTheGlobalPayloadApplies() throws Exception {
    AtomicInteger brokenCalls = new AtomicInteger();
    try (DistributedRuntime rt = runtime(Duration.ofMillis(100), Duration.ofSeconds(2), "\"ping\"")) {
      rt.namespace("ns").component("worker").endpoint("broken").serve(String.class, (Context<String> req) -> {
        brokenCalls.incrementAndGet();
        return ResponseStream.of(req.controller(), List.of(Annotated.fromError("engine down")));
      });
      rt.namespace("ns").component("worker").endpoint("fine").serve(String.class, (Context<String> req) ->
          ResponseStream.of(req.controller(), List.of(Annotated.fromData(req.value()))));
      await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(rt.health().endpoints().get("fine")));
      // the broken one was asked too (the payload of DYN_HEALTH_CHECK_PAYLOAD) and stays not ready
      await().atMost(Duration.ofSeconds(10)).until(() -> brokenCalls.get() >= 2);
      assertThat(rt.health().endpoints()).containsEntry("broken", false);
      assertThat(rt.health().isReady()).isFalse();
    }
  }

  @Test
  void withoutCanariesEveryServedEndpointIsReadyAtOnce() throws Exception {
    try (DistributedRuntime rt = DistributedRuntime.processLocal()) {
      rt.namespace("ns").component("worker").endpoint("generate").healthCheckPayload("ping")
          .serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("x")));
      assertThat(rt.health().endpoints()).containsEntry("generate", true);
      assertThat(rt.health().isReady()).isTrue();
    }
  }
}
