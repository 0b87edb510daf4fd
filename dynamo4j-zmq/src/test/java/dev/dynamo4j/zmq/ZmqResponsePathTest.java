package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ZMQ plane's own response path ({@link ZmqResponsePlane}): per-stream windows bound what a
 * slow reader makes the worker hold without stalling the other streams of the same sockets; a
 * caller that goes away ends the worker's stream; callers on either response path reach workers
 * on the other.
 */
@Timeout(120)
class ZmqResponsePathTest {
  /** The ZMQ plane with its own response path. */
  static RuntimeConfig.Builder zmq() {
    return RuntimeConfig.builder().discoveryBackend("mem").requestPlane("zmq").variable("DYN_ZMQ_RESPONSE_PATH", "zmq");
  }

  static void serveGenerator(DistributedRuntime worker, String ns, Map<String, AtomicInteger> emitted, Map<String, CountDownLatch> ended, String payload) {
    worker.namespace(ns).component("c").endpoint("e").serve(Integer.class, (Context<Integer> req) ->
        ResponseStream.generate(req, out -> {
          AtomicInteger n = emitted.computeIfAbsent(req.id(), k -> new AtomicInteger());
          try {
            for (int i = 0; i < req.value() && out.emit(payload); i++) {
              n.incrementAndGet();
            }
          } finally {
            ended.computeIfAbsent(req.id(), k -> new CountDownLatch(1)).countDown();
          }
        }));
  }

  @Test
  void aStreamWhoseReaderStopsIsHeldByItsWindowAndDoesNotStallTheOthers() throws Exception {
    RuntimeConfig cfg = zmq().responseStreams(ResponseStreamOptions.DEFAULTS.withMuxConnections(1, 16 * 1024)).build();
    Map<String, AtomicInteger> emitted = new ConcurrentHashMap<>();
    Map<String, CountDownLatch> ended = new ConcurrentHashMap<>();
    String payload = "x".repeat(1000);
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      serveGenerator(worker, "flow", emitted, ended, payload);
      Client<Integer, String> client = caller.namespace("flow").component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));

      Context<Integer> slow = Context.withId(1_000_000, "slow-reader");
      Iterator<String> stuck = client.generate(slow).iterator();
      assertThat(stuck.next()).hasSize(1000); // then this reader stops reading

      for (int round = 0; round < 3; round++) {
        assertThat(client.call(2000).toList()).as("a stream next to the stuck one completes").hasSize(2000);
      }
      // 16 KiB window of ~1 KiB frames: the producer is held by credit, not by memory
      assertThat(emitted.get("slow-reader").get()).isBetween(2, 40);
      // and reading on releases it: the next items arrive in order
      for (int i = 0; i < 100; i++) {
        assertThat(stuck.next()).hasSize(1000);
      }
      assertThat(emitted.get("slow-reader").get()).isGreaterThan(100);
      slow.kill();
      assertThat(ended.computeIfAbsent("slow-reader", k -> new CountDownLatch(1)).await(20, TimeUnit.SECONDS)).as("the killed stream's engine ended").isTrue();
    }
  }

  @Test
  void aCallerThatGoesAwayEndsTheWorkersStreamEvenWhileItWaitsForCredit() throws Exception {
    RuntimeConfig cfg = zmq().responseStreams(ResponseStreamOptions.DEFAULTS.withMuxConnections(1, 16 * 1024)).build();
    Map<String, AtomicInteger> emitted = new ConcurrentHashMap<>();
    Map<String, CountDownLatch> ended = new ConcurrentHashMap<>();
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build()) {
      serveGenerator(worker, "gone", emitted, ended, "y".repeat(1000));
      DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build();
      try {
        Client<Integer, String> client = caller.namespace("gone").component("c").endpoint("e").client(String.class);
        client.waitForInstances(Duration.ofSeconds(10));
        Iterator<String> it = client.generate(Context.withId(Integer.MAX_VALUE, "abandoned")).iterator();
        assertThat(it.next()).hasSize(1000);
        // the worker fills the window and waits for credit
        await().atMost(Duration.ofSeconds(10)).until(() -> emitted.get("abandoned").get() >= 10);
      } finally {
        caller.close(); // its DEALER closes: the worker's ROUTER no longer reaches it
      }
      assertThat(ended.computeIfAbsent("abandoned", k -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS)).as("the worker's engine ended after its caller left").isTrue();
      await().atMost(Duration.ofSeconds(10)).until(
          () -> worker.requestPlane().gauges().get("streams") == 0L);
    }
  }

  @Test
  void callersOnEitherResponsePathReachWorkersOnTheOther() throws Exception {
    try (DistributedRuntime zmqWorker = DistributedRuntime.builder().config(zmq().build()).build();
        DistributedRuntime tcpCaller = DistributedRuntime.builder().config(zmq().variable("DYN_ZMQ_RESPONSE_PATH", "tcp").build()).build()) {
      zmqWorker.namespace("mixed").component("c").endpoint("e").serve(String.class, (Context<String> req) ->
          ResponseStream.of(req.controller(), List.of(req.value(), req.value() + "!")));
      Client<String, String> c = tcpCaller.namespace("mixed").component("c").endpoint("e").client(String.class);
      c.waitForInstances(Duration.ofSeconds(10));
      assertThat(c.call("a").toList()).containsExactly("a", "a!");
    }
    try (DistributedRuntime tcpWorker = DistributedRuntime.builder().config(zmq().variable("DYN_ZMQ_RESPONSE_PATH", "tcp").build()).build();
        DistributedRuntime zmqCaller = DistributedRuntime.builder().config(zmq().build()).build()) {
      tcpWorker.namespace("mixed2").component("c").endpoint("e").serve(String.class, (Context<String> req) ->
          ResponseStream.of(req.controller(), List.of(req.value())));
      Client<String, String> c = zmqCaller.namespace("mixed2").component("c").endpoint("e").client(String.class);
      c.waitForInstances(Duration.ofSeconds(10));
      assertThat(c.call("b").toList()).containsExactly("b");
    }
  }

  @Test
  void aResponsePathSettingOtherThanZmqOrTcpIsRefusedNamingTheVariable() {
    assertThatThrownBy(() -> ZmqSettings.RESPONSE_PATH.read(RuntimeConfig.builder(Map.of("DYN_ZMQ_RESPONSE_PATH", "udp")).build().variables()))
        .isInstanceOf(DynamoException.class)
        .hasMessage("Invalid DYN_ZMQ_RESPONSE_PATH value 'udp': expected zmq or tcp");
    assertThat(ZmqSettings.RESPONSE_PATH.read(RuntimeConfig.builder(Map.of("DYN_ZMQ_RESPONSE_PATH", "ZMQ")).build().variables())).isEqualTo("zmq");
    assertThat(ZmqSettings.RESPONSE_PATH.read(RuntimeConfig.builder().build().variables())).isEqualTo("tcp");
    // a bad value stops the runtime that would use it, naming the variable
    assertThatThrownBy(() -> DistributedRuntime.builder().config(zmq().variable("DYN_ZMQ_RESPONSE_PATH", "udp").build()).build())
        .isInstanceOf(DynamoException.class)
        .hasMessageContaining("Invalid DYN_ZMQ_RESPONSE_PATH value 'udp'");
  }
}
