package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker closes a mux connection that carried no stream for {@code
 * DYN_TCP_RESPONSE_MUX_IDLE_SECS}, never one with a stream on it, and never under a stream that
 * opens at the same moment.
 */
@Timeout(120)
class TcpMuxIdleTest {
  private static RuntimeConfig config(String idleSeconds) {
    return RuntimeConfig.builder().discoveryBackend("mem").requestPlane("tcp").variable("DYN_TCP_RESPONSE_MUX_IDLE_SECS", idleSeconds).build();
  }

  private static TcpResponsePlane plane(DistributedRuntime worker) {
    return (TcpResponsePlane) worker.requestPlane().responsePlane();
  }

  @Test
  void anIdleMuxConnectionIsClosedByTheWorkerAndTheNextCallOpensANewOne() throws Exception {
    RuntimeConfig cfg = config("0.3");
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      worker.namespace("idle").component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of(req.value())));
      Client<String, String> client = caller.namespace("idle").component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));

      assertThat(client.call("one").toList()).containsExactly("one");
      assertThat(plane(worker).muxConnections()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> plane(worker).muxConnections() == 0);
      assertThat(plane(worker).muxIdleCloses()).isEqualTo(1);
      assertThat(worker.requestPlane().gauges()).containsEntry("mux_idle_closes_total", 1L);

      assertThat(client.call("two").toList()).containsExactly("two");
      assertThat(plane(worker).muxConnections()).isEqualTo(1);
    }
  }

  @Test
  void aConnectionWithAStreamOnItIsKeptPastTheIdleTime() throws Exception {
    RuntimeConfig cfg = config("0.2");
    CountDownLatch release = new CountDownLatch(1);
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      worker.namespace("idle").component("c").endpoint("slow").serve(String.class, (Context<String> req) -> ResponseStream.generate(req, out -> {
        out.emit("first");
        try {
          release.await(60, TimeUnit.SECONDS); // the test says when the second item may go
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        out.emit("second");
      }));
      Client<String, String> client = caller.namespace("idle").component("c").endpoint("slow").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));

      Iterator<String> stream = client.generate(Context.of("x")).iterator();
      assertThat(stream.next()).isEqualTo("first");
      // five idle periods with a stream open on the connection: it stays, the reaper closes nothing
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> plane(worker).muxConnections() == 1 && plane(worker).muxIdleCloses() == 0);
      release.countDown();
      assertThat(stream.next()).isEqualTo("second");
      assertThat(stream.hasNext()).isFalse();
    }
  }

  @Test
  void callsSpacedAroundTheIdleTimeAllSucceedWhileConnectionsComeAndGo() throws Exception {
    // 60 ms idle, checked every 30 ms; callers pause 0-120 ms between calls, so streams open
    // right as connections retire, again and again
    RuntimeConfig cfg = config("0.06");
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      worker.namespace("idle").component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of(req.value())));
      Client<String, String> client = caller.namespace("idle").component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));

      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<Integer>> callers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          int caller0 = t;
          callers.add(pool.submit(() -> {
            int ok = 0;
            for (int i = 0; i < 60; i++) {
              String v = caller0 + "-" + i;
              assertThat(client.call(v).toList()).containsExactly(v);
              ok++;
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(121))); // a pace, not a wait
            }
            return ok;
          }));
        }
        for (Future<Integer> f : callers) {
          assertThat(f.get(90, TimeUnit.SECONDS)).isEqualTo(60);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(plane(worker).muxIdleCloses()).as("connections retired between the calls").isPositive();
    }
  }
}
