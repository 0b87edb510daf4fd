package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.RequestStream;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.Egress;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.Endpoint;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.RoutingKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every request plane must show, run end to end through {@link DistributedRuntime}:
 * a worker runtime serves, a caller runtime calls. A transport module extends this class and
 * says how to build the two runtimes; every test has a timeout, so a hang is a failure.
 */
@Timeout(60)
public abstract class RequestTransportConformance {
  private static final AtomicLong NAMES = new AtomicLong();

  protected DistributedRuntime worker;
  protected DistributedRuntime caller;
  protected String namespace;

  /**
   * A runtime that can serve and call on the transport under test, its configuration first
   * changed by {@code tweak} (the suite sets worker-pool limits and deadlines through it);
   * discovery shared with peers.
   */
  protected abstract DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak);

  /** {@link #newRuntime(UnaryOperator)} with the suite's configuration unchanged. */
  protected final DistributedRuntime newRuntime() {
    return newRuntime(UnaryOperator.identity());
  }

  private final List<DistributedRuntime> extra = new ArrayList<>();

  /** A further runtime for one test, closed after it. */
  protected DistributedRuntime extraRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    DistributedRuntime rt = newRuntime(tweak);
    extra.add(rt);
    return rt;
  }

  @BeforeEach
  void startRuntimes() {
    worker = newRuntime();
    caller = newRuntime();
    namespace = "conf" + NAMES.incrementAndGet() + "x" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  @AfterEach
  void stopRuntimes() {
    for (DistributedRuntime rt : extra) {
      rt.close();
    }
    if (caller != null) {
      caller.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  /**
   * The worker endpoint every test serves on; a suite may override it to serve in another mode
   * (direct mode, for instance).
   */
  protected Endpoint servedAt(DistributedRuntime rt, String endpoint) {
    return rt.namespace(namespace).component("worker").endpoint(endpoint);
  }

  protected ServedEndpoint serveCounter(DistributedRuntime rt, String endpoint) {
    return servedAt(rt, endpoint).serve(Integer.class, (Context<Integer> req) ->
        ResponseStream.generate(req, out -> {
          for (int i = 0; i < req.value(); i++) {
            if (!out.emit("item-" + i)) {
              return;
            }
          }
        }));
  }

  protected Client<Integer, String> client(String endpoint) throws InterruptedException {
    Client<Integer, String> c = caller.namespace(namespace).component("worker").endpoint(endpoint).client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    return c;
  }

  @Test
  void streamsEveryItemInOrder() throws Exception {
    serveCounter(worker, "count");
    List<String> items = client("count").call(100).toList();
    assertThat(items).hasSize(100).startsWith("item-0").endsWith("item-99");
  }

  @Test
  void emptyStreamEndsCleanly() throws Exception {
    serveCounter(worker, "count");
    assertThat(client("count").call(0).toList()).isEmpty();
  }

  @Test
  void requestIdCrossesTheTransport() throws Exception {
    List<String> seen = new ArrayList<>();
    servedAt(worker, "id").serve(String.class, (Context<String> req) -> {
      seen.add(req.id());
      return ResponseStream.of(req.controller(), List.of(req.id()));
    });
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("id").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    assertThat(c.generate(Context.withId("x", "my-request-7")).toList()).containsExactly("my-request-7");
    assertThat(seen).containsExactly("my-request-7");
  }

  @Test
  void callerStopReachesTheEngine() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    servedAt(worker, "endless").serve(Integer.class, (Context<Integer> req) -> {
      req.controller().stopped().thenRun(stopped::countDown);
      return ResponseStream.generate(req, out -> {
        int i = 0;
        while (out.emit("t" + i++)) {
          // until stopped
        }
      });
    });
    Client<Integer, String> c = client("endless");
    Context<Integer> ctx = Context.of(1);
    try (ResponseStream<String> stream = c.generate(ctx)) {
      Iterator<String> it = stream.iterator();
      assertThat(it.next()).isEqualTo("t0");
      ctx.stop();
      assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void callerKillReachesTheEngine() throws Exception {
    CountDownLatch killed = new CountDownLatch(1);
    servedAt(worker, "endless").serve(Integer.class, (Context<Integer> req) -> {
      req.controller().killed().thenRun(killed::countDown);
      return ResponseStream.generate(req, out -> {
        out.emit("first");
        req.controller().awaitStopped();
      });
    });
    Client<Integer, String> c = client("endless");
    Context<Integer> ctx = Context.of(1);
    assertThat(c.generate(ctx).iterator().next()).isEqualTo("first");
    ctx.kill();
    assertThat(killed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void engineErrorBeforeStreamingReachesTheCallerTyped() throws Exception {
    servedAt(worker, "fail").serve(Integer.class, (Context<Integer> req) -> {
      throw new DynamoException(ErrorType.InvalidArgument, "no such model");
    });
    Client<Integer, String> c = client("fail");
    assertThatThrownBy(() -> c.call(1))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.CannotConnect);
          assertThat(e.getMessage()).contains("no such model");
        });
  }

  @Test
  void aTypedErrorUnderAGenericWrapperKeepsItsClassAndReasonAcrossTheWire() throws Exception {
    // Spec M2: the semantic head of the engine's cause chain travels in the prologue's typed_error.
    servedAt(worker, "wrapped").serve(Integer.class, (Context<Integer> req) -> {
      throw new IllegalStateException("model loader failed", new DynamoException(ErrorType.InvalidArgument, "no such model"));
    });
    Client<Integer, String> c = client("wrapped");
    assertThatThrownBy(() -> c.call(1))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.CannotConnect);
          assertThat(e.getMessage()).isEqualTo("Worker generate() failed before response stream: model loader failed");
          assertThat(e.getCause()).isInstanceOfSatisfying(DynamoException.class, typed -> {
            assertThat(typed.type()).isEqualTo(ErrorType.InvalidArgument);
            assertThat(typed.remoteError().effectiveReason()).isEqualTo("request.invalid_argument");
            assertThat(typed.remoteError().causedBy().diagnostic()).isEqualTo("no such model");
          });
        });
  }

  @Test
  void aStreamOfRequestsIsAnsweredItemByItem() throws Exception {
    servedAt(worker, "bidi").serveStreaming(String.class, (Context<RequestStream<String>> req) ->
        ResponseStream.generate(req, out -> {
          int n = 0;
          for (String in : req.value()) {
            out.emit("got:" + in);
            n++;
          }
          out.emit("count:" + n);
        }));
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("bidi").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    List<String> out = c.generateStreaming(new Controller(), List.of("a", "b", "c")).toList();
    assertThat(out).containsExactly("got:a", "got:b", "got:c", "count:3");
  }

  @Test
  void requestsStreamWhileAnswersStreamBack() throws Exception {
    // the answer made from the requests as they arrive (RequestStream.map)
    servedAt(worker, "bidi").serveStreaming(String.class, (Context<RequestStream<String>> req) ->
        req.value().map(in -> in.toUpperCase(Locale.ROOT)));
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("bidi").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    Controller ctl = new Controller();
    ResponseStream.Channel<String> inputs = ResponseStream.channel(ctl, 4);
    Iterator<String> answers = c.generateStreaming(ctl, inputs.stream()).iterator();
    // Each answer arrives before the next input is sent: the two directions really interleave.
    for (String word : List.of("one", "two", "three")) {
      inputs.emit(word);
      assertThat(answers.next()).isEqualTo(word.toUpperCase(Locale.ROOT));
    }
    inputs.complete();
    assertThat(answers.hasNext()).isFalse();
  }

  @Test
  void aSingleRequestToAStreamingEngineIsRefusedTyped() throws Exception {
    servedAt(worker, "bidi").serveStreaming(String.class, (Context<RequestStream<String>> req) ->
        ResponseStream.of(req.controller(), List.of("never")));
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("bidi").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    assertThatThrownBy(() -> c.call("x")).hasMessageContaining("takes a stream of requests");
  }

  @Test
  void manyConcurrentStreamsAllComplete() throws Exception {
    serveCounter(worker, "count");
    Client<Integer, String> c = client("count");
    int streams = 200;
    List<Thread> threads = new ArrayList<>();
    AtomicLong items = new AtomicLong();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < streams; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          items.addAndGet(c.call(20).toList().size());
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(30));
    }
    assertThat(failures).isEmpty();
    assertThat(items.get()).isEqualTo(streams * 20L);
  }

  /**
   * The largest request payload the plane under test carries, or -1 when it has no limit (the
   * in-process plane): by default {@code DYN_TCP_MAX_MESSAGE_SIZE} of the caller's configuration;
   * a plane with another limit (NATS: the server's {@code max_payload}) says so.
   */
  protected long requestLimitBytes() {
    return caller.config().tcpMaxMessageSize();
  }

  @Test
  void aRequestOverThePlanesLimitIsRefusedTypedAndTheNextOneIsServed() throws Exception {
    servedAt(worker, "len").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of(req.value().length())));
    Client<String, Integer> c = caller.namespace(namespace).component("worker").endpoint("len").client(Integer.class);
    c.waitForInstances(Duration.ofSeconds(10));
    long limit = requestLimitBytes();
    if (limit < 0) {
      assertThat(c.call("x".repeat(1 << 20)).toList()).containsExactly(1 << 20); // no limit: a large request is carried
      return;
    }
    String big = "x".repeat(Math.toIntExact(limit + 1));
    assertThatThrownBy(() -> c.call(big).toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument);
          assertThat(e.getMessage()).contains("too large");
        });
    assertThat(c.call("small").toList()).containsExactly(5);
  }

  /**
   * For suites that serve in direct mode ({@link #servedAt} returns a direct endpoint): a direct
   * stream whose caller reads nothing is held up to its bound, then reset with the reason
   * (Disconnected "direct-mode engine ran more than ..."), what fit in the window arrived, and the
   * worker serves again. Had the I/O thread waited for credit, the engine's emit would never have
   * returned false.
   */
  protected void aDirectStreamFarAheadOfItsCallerIsResetWithTheReasonAndTheWorkerServesOn() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    CountDownLatch refused = new CountDownLatch(1);
    servedAt(worker, "flood").serve(String.class, (Context<String> req) -> {
      if (!req.value().equals("go")) {
        return ResponseStream.of(req.controller(), List.of(req.value().getBytes(StandardCharsets.UTF_8)));
      }
      return ResponseStream.generate(req, out -> {
        while (out.emit(chunk)) {
          // never ends by itself: only the bound stops it
        }
        refused.countDown();
      });
    });
    Client<String, byte[]> c = caller.namespace(namespace).component("worker").endpoint("flood").client(byte[].class);
    c.waitForInstances(Duration.ofSeconds(10));
    c.call("warm").toList(); // opens the multiplexed connection: later requests run on the I/O thread
    int[] got = {0};
    assertThatThrownBy(() -> {
          try (ResponseStream<byte[]> s = c.call("go")) {
            // the caller reads nothing (returns no credit) until the engine hit its bound
            assertThat(refused.await(20, TimeUnit.SECONDS)).as("the engine's emit returned false").isTrue();
            for (byte[] ignored : s) {
              got[0]++;
            }
          }
        })
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.Disconnected);
          assertThat(e.getMessage()).contains("direct-mode engine ran more than");
        });
    assertThat(got[0]).as("what was sent inside the window and what was held came through before the reset").isGreaterThan(10);
    // the worker serves again (a new client: this one has inhibited the instance after the fault, as after any Disconnected)
    Client<String, byte[]> again = caller.namespace(namespace).component("worker").endpoint("flood").client(byte[].class);
    again.waitForInstances(Duration.ofSeconds(10));
    assertThat(new String(again.call("still here").toList().get(0), StandardCharsets.UTF_8)).isEqualTo("still here");
  }

  @Test
  protected void closingTheWorkerLeavesDiscoveryThenDrainsTheStreamInFlight() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<String> engineEnd = new AtomicReference<>("running");
    servedAt(worker, "slow").serve(String.class, (Context<String> req) -> ResponseStream.generate(req, out -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        engineEnd.set("interrupted (stopped: " + req.controller().isStopped() + ", killed: " + req.controller().isKilled() + ")");
        throw e;
      }
      engineEnd.set("emitted: " + out.emit("done"));
    }));
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("slow").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    ResponseStream<String> inFlight = c.call("x");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    DistributedRuntime closing = worker;
    Thread closer = Thread.ofVirtual().start(closing::close);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> c.instances().isEmpty());
    assertThat(closer.isAlive()).as("still draining the request in flight").isTrue();
    release.countDown();
    List<String> got;
    try {
      got = inFlight.toList();
    } catch (DynamoException e) {
      throw new AssertionError("the stream in flight failed (" + e + "); the engine: " + engineEnd.get(), e);
    }
    assertThat(got).containsExactly("done");
    closer.join(Duration.ofSeconds(20));
    assertThat(closer.isAlive()).isFalse();
  }

  @Test
  void aWorkerWithNoRoomLeftRefusesTypedWorkerOverloadedAndServesAgainOnceItHasRoom() throws Exception {
    DistributedRuntime full = extraRuntime(b -> b.tcpWorkerPool(1, 0));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // not servedAt: this engine waits, which a direct-mode engine must not (it would hold an I/O thread)
    full.namespace(namespace).component("worker").endpoint("busy").serve(String.class, (Context<String> req) -> ResponseStream.generate(req, out -> {
      started.countDown();
      if (!release.await(30, TimeUnit.SECONDS)) { // bounded: a test that fails before releasing leaves no engine behind
        throw new IllegalStateException("the test never released the busy engine");
      }
      out.emit("done " + req.value());
    }));
    Client<String, String> c = caller.namespace(namespace).component("worker").endpoint("busy").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    AtomicReference<List<String>> first = new AtomicReference<>();
    Thread holder = Thread.ofVirtual().start(() -> {
      try {
        first.set(c.call("a").toList());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).as("the first request runs").isTrue();
    assertThatThrownBy(() -> c.call("b").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.WorkerOverloaded);
          assertThat(e.getMessage()).contains("Server overloaded");
        });
    release.countDown();
    holder.join(Duration.ofSeconds(20));
    assertThat(first.get()).containsExactly("done a");
    // the caller reads the end of the first stream a moment before the worker's handler gives
    // its slot back, so a request right after may still be refused: as a client would, retry
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .ignoreExceptionsMatching(e -> e instanceof DynamoException d && d.type() == ErrorType.WorkerOverloaded)
        .until(() -> c.call("c").toList(), got -> got.equals(List.of("done c")));
  }

  @Test
  void aRequestForAnEndpointNoLongerServedFailsTypedAndTheNextOneIsServed() throws Exception {
    ServedEndpoint gone = serveCounter(worker, "gone");
    serveCounter(worker, "kept");
    TransportType address = gone.instance().transport();
    gone.close();
    DistributedRuntime quick = extraRuntime(b -> b.tcpConnectTimeout(Duration.ofSeconds(1)).tcpRequestTimeout(Duration.ofSeconds(2)));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> quick.requestPlane().client().send(address, Map.of(), "no envelope needed: refused before it is read".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isIn(ErrorType.WorkerUnavailable, ErrorType.CannotConnect));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused within the deadlines").isLessThan(Duration.ofSeconds(10));
    Client<Integer, String> c = quick.namespace(namespace).component("worker").endpoint("kept").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    assertThat(c.call(2).toList()).containsExactly("item-0", "item-1");
  }

  @Test
  void aReaderThatStopsHoldsBackItsOwnStreamOnlyAndReadingOnResumesIt() throws Exception {
    AtomicInteger emitted = new AtomicInteger();
    String item = "x".repeat(1000);
    servedAt(worker, "flood").serve(Integer.class, (Context<Integer> req) -> ResponseStream.generate(req, out -> {
      for (int i = 0; i < req.value() && out.emit(item); i++) {
        if (req.id().equals("stalled")) {
          emitted.incrementAndGet();
        }
      }
    }));
    Client<Integer, String> c = caller.namespace(namespace).component("worker").endpoint("flood").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    Context<Integer> stalled = Context.withId(1_000_000, "stalled");
    Iterator<String> reader = c.generate(stalled).iterator();
    assertThat(reader.next()).hasSize(1000); // then it stops reading
    CrossProcessScenarios.awaitSettled(emitted::get, Duration.ofSeconds(30), "the producer of the stalled stream is held back (it stopped emitting)");
    // bounded by the plane's buffers (a window, socket buffers), not by the million asked for
    System.out.println(getClass().getSimpleName() + ": a stalled reader held its producer at " + emitted.get() + " items of 1000 bytes");
    assertThat(emitted.get()).isLessThan(20_000);
    for (int round = 0; round < 3; round++) {
      assertThat(c.call(500).toList()).as("a stream next to the stalled one completes").hasSize(500);
    }
    for (int i = 0; i < 2_000; i++) {
      assertThat(reader.next()).hasSize(1000);
    }
    // 2,001 items read: the producer's 2,000th emit has returned or is about to (it counts after
    // emit returns, so the count can trail the reader by one for a moment), which on every plane
    // whose window held it below 2,000 (all but call-home, measured above) is more than it was held at
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(emitted.get()).as("reading on released the producer").isGreaterThanOrEqualTo(2_000));
    stalled.kill();
  }

  @Test
  void aWorkerThatTakesARequestButNeverOpensItsStreamIsAResponseTimeoutAfterTheCallHomeDeadline() throws Exception {
    // a handler that takes the request (the ACK says accepted) and never opens the response stream
    CountDownLatch taken = new CountDownLatch(1);
    String key = RoutingKey.instancePath(worker.instanceId(), namespace, "worker", "silent");
    TransportType address = worker.requestPlane().server().register(key, (payload, headers) -> taken.countDown());
    Instance target = new Instance(namespace, "worker", "silent", worker.instanceId(), address, null, PayloadCodec.JSON);
    Egress egress = new Egress(caller.requestPlane().client(), caller.requestPlane().responsePlane(),
        ResponseStreamOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(120)));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> egress.generate(target, Context.of("hello"), Json.MAPPER.constructType(String.class)))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.ResponseTimeout);
          assertThat(e.getMessage()).contains("did not open", "DYN_TCP_CALL_HOME_TIMEOUT_SECS");
        });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("failed at the deadline, not at once").isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(taken.await(10, TimeUnit.SECONDS)).as("the worker did take the request").isTrue();
    worker.requestPlane().server().unregister(key, Duration.ZERO);
  }
}
