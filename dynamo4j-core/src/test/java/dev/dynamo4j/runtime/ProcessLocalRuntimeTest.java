package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.PayloadCodec;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A worker runtime and a caller runtime in one JVM, through the in-process request plane. */
class ProcessLocalRuntimeTest {
  final DistributedRuntime worker = DistributedRuntime.processLocal();
  final DistributedRuntime caller = DistributedRuntime.processLocal();

  @AfterEach
  void close() {
    caller.close();
    worker.close();
  }

  record Prompt(String text, int tokens) {}

  record Token(int index, String text) {}

  static String ns() {
    return "t" + Long.toHexString(System.nanoTime());
  }

  @ParameterizedTest
  @EnumSource(PayloadCodec.class)
  void servesAnEngineAndTheClientStreamsItsAnswer(PayloadCodec codec) throws Exception {
    DistributedRuntime w =
        DistributedRuntime.builder()
            .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS).requestPlaneCodec(codec).build())
            .build();
    try (w) {
      String ns = ns();
      ServedEndpoint served =
          w.namespace(ns).component("backend").endpoint("generate").serve(Prompt.class, (Context<Prompt> req) ->
              ResponseStream.generate(req, out -> {
                for (int i = 0; i < req.value().tokens(); i++) {
                  if (!out.emit(new Token(i, req.value().text() + i))) {
                    return;
                  }
                }
              }));
      assertThat(served.instance().requestPlaneCodec()).isEqualTo(codec);
      Client<Prompt, Token> client = caller.namespace(ns).component("backend").endpoint("generate").client(Token.class);
      client.waitForInstances(Duration.ofSeconds(5));
      Context<Prompt> ctx = Context.withId(new Prompt("tok", 5), "request-42");
      List<Token> tokens = client.generate(ctx).toList();
      assertThat(tokens).extracting(Token::text).containsExactly("tok0", "tok1", "tok2", "tok3", "tok4");
      assertThat(served.metrics().requests()).isEqualTo(1);
    }
  }

  @Test
  void stopFromTheCallerReachesTheEngineAndEndsTheStreamQuietly() throws Exception {
    String ns = ns();
    CountDownLatch engineSawStop = new CountDownLatch(1);
    AtomicReference<String> idSeen = new AtomicReference<>();
    worker.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) -> {
      idSeen.set(req.id());
      return ResponseStream.generate(req, out -> {
        int i = 0;
        while (!out.isStopped()) {
          out.emit("x" + i++);
        }
        req.controller().awaitStopped();
        engineSawStop.countDown();
      });
    });
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    Context<String> ctx = Context.withId("go", "stop-me");
    ResponseStream<String> stream = client.generate(ctx);
    Iterator<String> it = stream.iterator();
    assertThat(it.next()).isEqualTo("x0");
    ctx.stop();
    assertThat(engineSawStop.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(idSeen.get()).isEqualTo("stop-me");
    while (it.hasNext()) {
      it.next(); // items already produced may still arrive; the end is quiet
    }
  }

  @Test
  void stopReachesAnEngineWhoseSendIsBlockedOnACallerThatStoppedReading() throws Exception {
    String ns = ns();
    CountDownLatch engineSawStop = new CountDownLatch(1);
    AtomicInteger emitted = new AtomicInteger();
    worker.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) ->
        ResponseStream.generate(req, out -> {
          while (out.emit("x" + emitted.get())) {
            emitted.incrementAndGet();
          }
          engineSawStop.countDown();
        }));
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    Context<String> ctx = Context.of("go");
    Iterator<String> it = client.generate(ctx).iterator();
    assertThat(it.next()).isEqualTo("x0");
    // The caller reads no more: the worker fills the in-process connection (64 frames) and its
    // send blocks. Wait until it is stuck there, then stop.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> emitted.get() >= 60);
    int before = emitted.get();
    Awaitility.await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10)).until(() -> emitted.get() == before);
    ctx.stop();
    assertThat(engineSawStop.await(5, TimeUnit.SECONDS)).as("emit returns false to an engine blocked on a slow caller").isTrue();
  }

  @Test
  void killFromTheCallerReachesTheEngine() throws Exception {
    String ns = ns();
    CountDownLatch engineSawKill = new CountDownLatch(1);
    worker.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) -> {
      req.controller().killed().thenRun(engineSawKill::countDown);
      return ResponseStream.generate(req, out -> {
        out.emit("first");
        req.controller().awaitStopped();
      });
    });
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    Context<String> ctx = Context.of("go");
    ResponseStream<String> stream = client.generate(ctx);
    assertThat(stream.iterator().next()).isEqualTo("first");
    ctx.kill();
    assertThat(engineSawKill.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closingTheStreamEarlyStopsTheEngine() throws Exception {
    String ns = ns();
    CountDownLatch engineSawStop = new CountDownLatch(1);
    worker.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) -> {
      req.controller().stopped().thenRun(engineSawStop::countDown);
      return ResponseStream.generate(req, out -> {
        int i = 0;
        while (out.emit("t" + i++)) {
          // until the caller goes away
        }
      });
    });
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    ResponseStream<String> stream = client.call("go");
    assertThat(stream.iterator().next()).isEqualTo("t0");
    stream.close();
    assertThat(engineSawStop.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void engineFailureBeforeStreamingIsAnErrorPrologue() throws Exception {
    String ns = ns();
    worker.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) -> {
      throw new DynamoException(ErrorType.InvalidArgument, "prompt too long");
    });
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    assertThatThrownBy(() -> client.call("x"))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.CannotConnect);
          assertThat(e.getMessage()).isEqualTo("Worker generate() failed before response stream: prompt too long");
          assertThat(((DynamoException) e.getCause()).type()).isEqualTo(ErrorType.InvalidArgument);
        });
  }

  @Test
  void undecodableRequestBodyIsAnsweredNotLeftHanging() throws Exception {
    String ns = ns();
    worker.namespace(ns).component("c").endpoint("e").serve(Prompt.class, (Context<Prompt> req) -> ResponseStream.of(req.controller(), List.of("never")));
    Client<Object, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    assertThatThrownBy(() -> client.call(Map.of("tokens", "not a number")))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.getMessage()).contains("cannot decode request"));
  }

  @Test
  void midStreamEngineFailureEndsAsIncomplete() throws Exception {
    String ns = ns();
    worker.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.generate(req, out -> {
      out.emit("a");
      throw new IllegalStateException("engine crashed");
    }));
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    Iterator<String> it = client.call("x").iterator();
    assertThat(it.next()).isEqualTo("a");
    assertThatThrownBy(it::hasNext)
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.Disconnected);
          assertThat(e.getMessage()).isEqualTo("Stream ended before generation completed");
        });
  }

  @Test
  void roundRobinAcrossTwoWorkersAndNoInstanceIsUnavailable() throws Exception {
    String ns = ns();
    try (DistributedRuntime worker2 = DistributedRuntime.processLocal()) {
      for (DistributedRuntime w : List.of(worker, worker2)) {
        long id = w.instanceId();
        w.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) ->
            ResponseStream.of(req.controller(), List.of(Long.toHexString(id))));
      }
      Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> client.instances().size() == 2);
      String a = client.call("x").toList().get(0);
      String b = client.call("x").toList().get(0);
      assertThat(a).isNotEqualTo(b);
    }
    Client<String, String> none = caller.endpoint(ns + "/c/missing").client(String.class);
    assertThatThrownBy(() -> none.call("x")).isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable));
  }

  @Test
  void aRemovedInstanceIsTombstonedAndAFaultyOneInhibitedUntilTheNextReconcile() throws Exception {
    String ns = ns();
    DistributedRuntime w = DistributedRuntime.processLocal();
    ServedEndpoint served = w.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of("ok")));
    long id = served.instance().instanceId();
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    served.close();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> client.instances().isEmpty());
    assertThatThrownBy(() -> client.direct(Context.of("x"), id))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.Disconnected);
          assertThat(e.getMessage()).startsWith("Worker removed before request could be sent");
        });
    w.close();

    // Inhibition: a reported fault hides the instance for DYN_RUNTIME_INHIBITED_DURATION_SECS; 0 disables it.
    DistributedRuntime w2 = DistributedRuntime.processLocal();
    long id2 = w2.namespace(ns).component("c").endpoint("f").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of("ok"))).instance().instanceId();
    Client<String, String> c2 = caller.endpoint(ns + "/c/f").client(String.class);
    c2.waitForInstances(Duration.ofSeconds(5));
    c2.reportInstanceDown(id2);
    assertThat(c2.availableInstances()).isEmpty();
    assertThatThrownBy(() -> c2.call("x")).hasMessageContaining("is available");
    try (DistributedRuntime noInhibit = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS).inhibitedDuration(Duration.ZERO).build())
        .build()) {
      Client<String, String> c3 = noInhibit.endpoint(ns + "/c/f").client(String.class);
      c3.waitForInstances(Duration.ofSeconds(5));
      c3.reportInstanceDown(id2);
      assertThat(c3.call("x").toList()).containsExactly("ok");
    }
    w2.close();
  }

  @Test
  void gracefulShutdownLeavesDiscoveryThenDrains() throws Exception {
    String ns = ns();
    DistributedRuntime w = DistributedRuntime.processLocal();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    w.namespace(ns).component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.generate(req, out -> {
      started.countDown();
      release.await();
      out.emit("done");
    }));
    Client<String, String> client = caller.endpoint(ns + "/c/e").client(String.class);
    client.waitForInstances(Duration.ofSeconds(5));
    ResponseStream<String> inFlight = client.call("x");
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    Thread closer = Thread.ofVirtual().start(w::close);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> client.instances().isEmpty());
    assertThat(closer.isAlive()).isTrue(); // still draining the request in flight
    release.countDown();
    assertThat(inFlight.toList()).containsExactly("done");
    closer.join(Duration.ofSeconds(10));
    assertThat(closer.isAlive()).isFalse();
  }

  @Test
  void instanceJsonIsExact() {
    Instance i =
        new Instance("dynamo", "backend", "generate", 0x694d9a5e1c2b3a4fL,
            new TransportType.Tcp("10.0.0.5:41234/694d9a5e1c2b3a4f/dynamo/backend/generate"), null, PayloadCodec.MSGPACK);
    assertThat(new String(i.toDiscoveryJson()))
        .isEqualTo("{\"type\":\"Endpoint\",\"component\":\"backend\",\"endpoint\":\"generate\",\"namespace\":\"dynamo\",\"instance_id\":7587890676179352143,"
            + "\"transport\":{\"tcp\":\"10.0.0.5:41234/694d9a5e1c2b3a4f/dynamo/backend/generate\"},\"request_plane_codec\":\"msgpack\"}");
    Instance read = Instance.fromJson(
        "{\"type\":\"Endpoint\",\"component\":\"backend\",\"endpoint\":\"generate\",\"namespace\":\"dynamo\",\"instance_id\":7587891492460330768,\"transport\":{\"tcp\":\"10.0.0.5:41023/694d9b1c2a4e7f10/generate\"},\"device_type\":\"Cuda\",\"request_plane_codec\":\"msgpack\",\"future\":1}".getBytes());
    assertThat(read.deviceType()).isEqualTo("cuda");
    assertThat(read.transport()).isEqualTo(new TransportType.Tcp("10.0.0.5:41023/694d9b1c2a4e7f10/generate"));
    assertThat(read.toString()).isEqualTo("dynamo/backend/generate/7587891492460330768");
    Instance legacy = Instance.fromJson("{\"component\":\"c\",\"endpoint\":\"e\",\"namespace\":\"n\",\"instance_id\":18446744073709551615,\"transport\":{\"nats_tcp\":\"n_c.e-1\"}}".getBytes());
    assertThat(legacy.requestPlaneCodec()).isNull();
    assertThat(legacy.effectiveCodec()).isEqualTo(PayloadCodec.JSON);
    assertThat(legacy.instanceId()).isEqualTo(-1L);
    assertThat(new String(legacy.toJson())).contains("\"instance_id\":18446744073709551615");
  }

  @Test
  void namesAreValidatedAndNamespacesNest() {
    assertThat(caller.namespace("ns1").namespace("ns2").namespace("ns3").name()).isEqualTo("ns1.ns2.ns3");
    assertThatThrownBy(() -> caller.namespace("Bad.Name")).hasMessageContaining("^[a-z0-9-_]+$");
    assertThatThrownBy(() -> caller.namespace("ok").component("no spaces")).hasMessageContaining("component name");
    assertThat(caller.namespace("dynamo").component("backend").serviceName()).isEqualTo("dynamo_backend");
  }
}
