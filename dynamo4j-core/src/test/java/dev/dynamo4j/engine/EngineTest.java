package dev.dynamo4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EngineTest {
  @Test
  void contextHasAUuidIdUnlessGivenAndTransferKeepsIt() {
    Context<String> c = Context.of("a");
    assertThat(c.id()).matches("[0-9a-f-]{36}");
    assertThat(Context.withId("a", "req-1").id()).isEqualTo("req-1");
    Context<Integer> t = c.map(String::length);
    assertThat(t.id()).isEqualTo(c.id());
    assertThat(t.value()).isEqualTo(1);
    t.stop();
    assertThat(c.isStopped()).isTrue();
  }

  @Test
  void registrySharedAndUniqueValues() {
    Context<String> c = Context.of("a");
    c.insert(Integer.class, 5);
    assertThat(c.transfer(1.0).get(Integer.class)).contains(5);
    assertThat(c.get(Long.class)).isEmpty();
    c.insertUnique(StringBuilder.class, new StringBuilder("x"));
    assertThat(c.takeUnique(StringBuilder.class)).isPresent();
    assertThat(c.takeUnique(StringBuilder.class)).isEmpty();
    c.addStage("pre");
    assertThat(c.transfer(2).stages()).containsExactly("pre");
  }

  @Test
  void childrenAreNotifiedFirstInLinkOrder() {
    Controller parent = new Controller();
    List<String> order = new CopyOnWriteArrayList<>();
    Controller a = new Controller("a");
    Controller b = new Controller("b");
    a.stopped().thenRun(() -> order.add("a"));
    b.stopped().thenRun(() -> order.add("b"));
    parent.stopped().thenRun(() -> order.add("parent"));
    parent.linkChild(a);
    parent.linkChild(b);
    parent.stop();
    assertThat(order).containsExactly("a", "b", "parent");
  }

  @Test
  void killImpliesStopAndStopAfterKillKeepsKilled() {
    Controller c = new Controller();
    c.kill();
    assertThat(c.isStopped()).isTrue();
    assertThat(c.isKilled()).isTrue();
    c.stop();
    assertThat(c.isKilled()).isTrue();
    Controller s = new Controller();
    s.stop();
    assertThat(s.isKilled()).isFalse();
    s.kill();
    assertThat(s.isKilled()).isTrue();
  }

  @Test
  void linkCyclesTerminateAndLateChildrenAreStoppedAtOnce() throws Exception {
    Controller a = new Controller();
    Controller b = new Controller();
    a.linkChild(b);
    b.linkChild(a);
    a.kill();
    assertThat(a.isKilled()).isTrue();
    assertThat(b.isKilled()).isTrue();
    Controller late = new Controller();
    a.linkChild(late);
    assertThat(late.awaitKilled(Duration.ofSeconds(1))).isTrue();
  }

  @Test
  void streamIsBoundedAndBlocksTheProducer() throws Exception {
    Context<String> ctx = Context.of("x");
    AtomicInteger produced = new AtomicInteger();
    ResponseStream<Integer> s =
        ResponseStream.generate(ctx.controller(), 4, out -> {
          for (int i = 0; i < 1000; i++) {
            if (!out.emit(i)) {
              return;
            }
            produced.incrementAndGet();
          }
        });
    assertThat(produced.get()).as("the producer starts when the consumer first asks").isZero();
    Iterator<Integer> it = s.iterator();
    assertThat(it.next()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> produced.get() >= 5);
    // the producer is parked on the full buffer: it cannot get far ahead
    assertThat(produced.get()).isLessThanOrEqualTo(6);
    List<Integer> rest = new ArrayList<>();
    it.forEachRemaining(rest::add);
    assertThat(rest).hasSize(999).startsWith(1, 2).endsWith(999);
  }

  @Test
  void drainToRunsAGeneratorOnTheConsumersThreadWithNoBuffer() throws Exception {
    Context<String> ctx = Context.of("x");
    Thread consumer = Thread.currentThread();
    List<Thread> producerThreads = new ArrayList<>();
    ResponseStream<Integer> s = ResponseStream.generate(ctx.controller(), 1, out -> {
      producerThreads.add(Thread.currentThread());
      for (int i = 0; i < 100; i++) {
        out.emit(i); // capacity 1: a buffered producer would block here
      }
    });
    List<Integer> got = new ArrayList<>();
    s.drainTo(got::add);
    assertThat(got).hasSize(100).startsWith(0).endsWith(99);
    assertThat(producerThreads).containsExactly(consumer);
    assertThat(s.isFinished()).isTrue();
  }

  @Test
  void drainToStopsTheRequestWhenTheSinkRefusesAndRethrowsTheProducersFailure() throws Exception {
    Context<String> ctx = Context.of("x");
    AtomicInteger offered = new AtomicInteger();
    ResponseStream<Integer> s = ResponseStream.generate(ctx, out -> {
      for (int i = 0; out.emit(i); i++) {
        offered.incrementAndGet();
      }
    });
    s.drainTo(i -> i < 3);
    assertThat(offered.get()).isEqualTo(3);
    assertThat(ctx.controller().isStopped()).isTrue();

    ResponseStream<Integer> failing = ResponseStream.generate(Context.of("y"), out -> {
      out.emit(1);
      throw new IllegalStateException("model crashed");
    });
    List<Integer> got = new ArrayList<>();
    assertThatThrownBy(() -> failing.drainTo(got::add)).hasMessageContaining("model crashed");
    assertThat(got).containsExactly(1);
  }

  @Test
  void closingEarlyStopsTheProducer() throws Exception {
    Context<String> ctx = Context.of("x");
    CountDownLatch producerSawStop = new CountDownLatch(1);
    ResponseStream<Integer> s =
        ResponseStream.generate(ctx, out -> {
          int i = 0;
          while (out.emit(i++)) {
            // emit until the consumer goes away
          }
          producerSawStop.countDown();
        });
    var it = s.iterator();
    assertThat(it.next()).isEqualTo(0);
    s.close();
    assertThat(producerSawStop.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ctx.isStopped()).isTrue();
  }

  @Test
  void closingAfterTheEndDoesNotStop() {
    Context<String> ctx = Context.of("x");
    ResponseStream<Integer> s = ResponseStream.of(ctx.controller(), List.of(1, 2));
    assertThat(s.toList()).containsExactly(1, 2);
    s.close();
    assertThat(ctx.isStopped()).isFalse();
  }

  @Test
  void failureIsThrownAfterTheItemsBeforeIt() {
    Context<String> ctx = Context.of("x");
    ResponseStream<Integer> s =
        ResponseStream.generate(ctx, out -> {
          out.emit(1);
          throw new DynamoException(ErrorType.Disconnected, "gone");
        });
    List<Integer> seen = new ArrayList<>();
    assertThatThrownBy(() -> s.forEach(seen::add))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Disconnected));
    assertThat(seen).containsExactly(1);
  }

  @Test
  void aStreamHasExactlyOneConsumer() {
    ResponseStream<Integer> s = ResponseStream.of(new Controller(), List.of(1));
    s.iterator();
    assertThatThrownBy(s::iterator).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void flowPublisherHonoursDemandAndCompletes() throws Exception {
    ResponseStream<Integer> s = ResponseStream.of(new Controller(), List.of(1, 2, 3, 4, 5));
    List<Integer> got = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
    s.subscribe(
        new Flow.Subscriber<>() {
          public void onSubscribe(Flow.Subscription subscription) {
            sub.set(subscription);
            subscription.request(2);
          }

          public void onNext(Integer item) {
            got.add(item);
          }

          public void onError(Throwable throwable) {}

          public void onComplete() {
            done.countDown();
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
    assertThat(done.getCount()).isEqualTo(1);
    sub.get().request(10);
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(got).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void flowCancelStopsTheRequest() throws Exception {
    Controller c = new Controller();
    ResponseStream<Integer> s = ResponseStream.generate(c, 2, out -> {
      int i = 0;
      while (out.emit(i++)) {
        // until cancelled
      }
    });
    CountDownLatch first = new CountDownLatch(1);
    s.subscribe(
        new Flow.Subscriber<>() {
          Flow.Subscription sub;

          public void onSubscribe(Flow.Subscription subscription) {
            sub = subscription;
            subscription.request(1);
          }

          public void onNext(Integer item) {
            first.countDown();
            sub.cancel();
          }

          public void onError(Throwable throwable) {}

          public void onComplete() {}
        });
    assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(c.awaitStopped(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void annotatedJsonShapeOmitsAbsentFields() {
    assertThat(json(Annotated.fromData("hi"))).isEqualTo("{\"data\":\"hi\"}");
    assertThat(json(Annotated.fromAnnotation("tokens", 5))).isEqualTo("{\"event\":\"tokens\",\"comment\":[\"5\"]}");
    assertThat(json(Annotated.<String>fromError("boom")))
        .isEqualTo(
            "{\"event\":\"error\",\"comment\":[\"boom\"],\"error\":{\"error_type\":\"Unknown\",\"class\":\"Internal\",\"reason\":\"runtime.unclassified\",\"message\":\"boom\",\"diagnostic\":\"boom\"}}");
  }

  @Test
  void annotatedErrorsThrowOnOkReadLegacyCommentsMapDataAndRoundTripThroughJson() throws Exception {
    Annotated<String> err = Annotated.fromError("boom");
    assertThat(err.isError()).isTrue();
    assertThatThrownBy(err::ok).hasMessageContaining("boom");
    Annotated<String> legacy = new Annotated<>(null, null, "error", null, null);
    assertThatThrownBy(legacy::ok).hasMessage("unknown error");
    assertThat(Annotated.fromData("a").mapData(String::length).data()).isEqualTo(1);
    Annotated<Integer> failed = Annotated.fromData("a").mapData(s -> { throw new IllegalStateException("bad"); });
    assertThat(failed.isError()).isTrue();
    Annotated<?> back = Json.MAPPER.readValue(json(Annotated.fromError("x")), Annotated.class);
    assertThat(back.error().diagnostic()).isEqualTo("x");
  }

  static String json(Object o) {
    return new String(Json.toBytes(o), StandardCharsets.UTF_8);
  }
}
