package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.PayloadCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every event transport must show. Transports made during one test share a
 * medium (and discovery, where they need it). Subscribers may join late ("slow joiner"), so
 * tests first publish probes until the subscriber sees one.
 */
@Timeout(60)
public abstract class EventTransportConformance {
  private static final AtomicLong NAMES = new AtomicLong();
  private final List<AutoCloseable> resources = new ArrayList<>();
  protected final String ns = "ev" + NAMES.incrementAndGet() + "x" + Long.toHexString(System.nanoTime() & 0xffffff);

  /** A transport instance of the medium under test (one per simulated process). */
  protected abstract EventTransport newTransport();

  protected final EventTransport transport() {
    EventTransport t = newTransport();
    resources.add(t);
    return t;
  }

  protected final <T extends AutoCloseable> T track(T c) {
    resources.add(0, c);
    return c;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : resources) {
      c.close();
    }
  }

  public record Tick(String kind, int n) {}

  /** {@link #handshake} for tests outside this suite. */
  public static void handshakeForTests(EventPublisher pub, EventSubscriber sub) throws InterruptedException {
    handshake(pub, sub);
  }

  /** Publishes probes until {@code sub} receives one from {@code pub}; returns the probes' last sequence. */
  protected static void handshake(EventPublisher pub, EventSubscriber sub) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      pub.publish(new Tick("probe", 0));
      ReceivedEvent e = sub.poll(Duration.ofMillis(100));
      if (e != null && e.publisherId() == pub.publisherId()) {
        // drain further probes that were in flight
        while (sub.poll(Duration.ofMillis(200)) != null) {
          // skip
        }
        return;
      }
    }
    throw new AssertionError("subscriber never received a probe from publisher " + pub.publisherId());
  }

  /**
   * A transport of the medium configured not to lose events under load (publishers wait for room
   * instead of dropping), for {@code aMillionEventsFlatOutArriveExactlyOnceAndInOrder}; the
   * plain one when the medium never drops.
   */
  protected EventTransport newLosslessTransport() {
    return newTransport();
  }

  private EventTransport losslessTransport() {
    EventTransport t = newLosslessTransport();
    resources.add(t);
    return t;
  }

  /** How many events the flat-out test sends. */
  protected int flatOutEvents() {
    return 1_000_000;
  }

  @Test
  @Timeout(240)
  void aMillionEventsFlatOutArriveExactlyOnceAndInOrder() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    EventSubscriber sub = track(EventSubscriber.create(losslessTransport(), scope, "flood", PayloadCodec.MSGPACK));
    EventPublisher pub = track(EventPublisher.create(losslessTransport(), scope, "flood", PayloadCodec.MSGPACK));
    handshake(pub, sub); // the publisher starts once the subscriber receives it
    int n = flatOutEvents();
    byte[] payload = PayloadCodec.MSGPACK.encode(new Tick("flood", 1));
    long[] first = {-1};
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread publisher = Thread.ofPlatform().name("flat-out-publisher").start(() -> {
      try {
        first[0] = pub.publishBytes(payload);
        for (int i = 1; i < n; i++) {
          pub.publishBytes(payload); // as fast as the transport takes them
        }
      } catch (Throwable t) {
        failed.set(t);
      }
    });
    long received = 0;
    long expected = -1;
    while (received < n) {
      ReceivedEvent e = sub.poll(Duration.ofSeconds(20));
      if (e == null) {
        publisher.join(Duration.ofSeconds(1));
        throw new AssertionError("only " + received + " of " + n + " events arrived (publisher failure: " + failed.get()
            + ", dropped by the publisher: " + pub.dropped() + ", gaps: " + sub.stats().gaps() + ")");
      }
      if (e.publisherId() != pub.publisherId()) {
        continue;
      }
      if (expected < 0) {
        expected = e.sequence(); // the first event after the probes
      }
      if (e.sequence() != expected) {
        throw new AssertionError("event " + received + ": sequence " + e.sequence() + ", expected " + expected);
      }
      expected++;
      received++;
    }
    publisher.join(Duration.ofSeconds(30));
    assertThat(failed.get()).isNull();
    assertThat(expected - n).as("the first flat-out event was the first received").isEqualTo(first[0]);
    assertThat(pub.dropped()).isZero();
    assertThat(sub.stats().gaps()).isZero();
    assertThat(sub.stats().duplicates()).isZero();
    assertThat(sub.poll(Duration.ofMillis(200))).as("nothing after the last").isNull();
  }

  @Test
  void eventsArriveInOrderWithTheirEnvelope() throws Exception {
    EventScope scope = new EventScope.Component(ns, "worker");
    EventSubscriber sub = track(EventSubscriber.create(transport(), scope, "kv-events", PayloadCodec.MSGPACK));
    EventPublisher pub = track(EventPublisher.create(transport(), scope, "kv-events", PayloadCodec.MSGPACK));
    handshake(pub, sub);
    long before = System.currentTimeMillis();
    long firstSeq = pub.publish(new Tick("data", 0));
    for (int i = 1; i < 100; i++) {
      pub.publish(new Tick("data", i));
    }
    for (int i = 0; i < 100; i++) {
      ReceivedEvent e = sub.poll(Duration.ofSeconds(10));
      assertThat(e).as("event " + i).isNotNull();
      assertThat(e.decode(Tick.class)).isEqualTo(new Tick("data", i));
      assertThat(e.sequence()).isEqualTo(firstSeq + i);
      assertThat(e.publisherId()).isEqualTo(pub.publisherId());
      assertThat(e.envelope().topic()).isEqualTo("kv-events");
      assertThat(e.envelope().publishedAt()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
    }
    assertThat(sub.stats().gaps()).isZero();
    assertThat(sub.stats().publishers()).isEqualTo(1);
  }

  @Test
  void twoPublishersAreMergedAndCountedApart() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    EventSubscriber sub = track(EventSubscriber.create(transport(), scope, "load", PayloadCodec.MSGPACK));
    EventPublisher a = track(EventPublisher.create(transport(), scope, "load", PayloadCodec.MSGPACK));
    EventPublisher b = track(EventPublisher.create(transport(), scope, "load", PayloadCodec.MSGPACK));
    handshake(a, sub);
    handshake(b, sub);
    for (int i = 0; i < 20; i++) {
      a.publish(new Tick("a", i));
      b.publish(new Tick("b", i));
    }
    Map<String, List<Integer>> seen = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      Tick t = sub.poll(Duration.ofSeconds(10)).decode(Tick.class);
      seen.computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(t.n());
    }
    List<Integer> expected = IntStream.range(0, 20).boxed().toList();
    assertThat(seen.get("a")).isEqualTo(expected);
    assertThat(seen.get("b")).isEqualTo(expected);
    assertThat(sub.stats().publishers()).isEqualTo(2);
  }

  @Test
  void scopesAndTopicsAreExact() throws Exception {
    EventScope nsScope = new EventScope.Namespace(ns);
    EventScope compScope = new EventScope.Component(ns, "c");
    EventSubscriber sub = track(EventSubscriber.create(transport(), nsScope, "topic", PayloadCodec.MSGPACK));
    EventPublisher right = track(EventPublisher.create(transport(), nsScope, "topic", PayloadCodec.MSGPACK));
    EventPublisher otherScope = track(EventPublisher.create(transport(), compScope, "topic", PayloadCodec.MSGPACK));
    EventPublisher otherTopic = track(EventPublisher.create(transport(), nsScope, "topic-prefix-collision", PayloadCodec.MSGPACK));
    handshake(right, sub);
    for (int i = 0; i < 10; i++) {
      otherScope.publish(new Tick("wrong-scope", i));
      otherTopic.publish(new Tick("wrong-topic", i));
    }
    right.publish(new Tick("right", 1));
    ReceivedEvent e = sub.poll(Duration.ofSeconds(10));
    assertThat(e.decode(Tick.class)).isEqualTo(new Tick("right", 1));
    assertThat(sub.poll(Duration.ofMillis(300))).isNull();
    Set<Long> pubs = new HashSet<>();
    pubs.add(e.publisherId());
    assertThat(pubs).containsExactly(right.publisherId());
  }

  @Test
  void aRestartedPublisherIsANewPublisherNotAGap() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    EventSubscriber sub = track(EventSubscriber.create(transport(), scope, "t", PayloadCodec.JSON));
    EventTransport pubSide = transport();
    EventPublisher first = EventPublisher.create(pubSide, scope, "t", PayloadCodec.JSON);
    handshake(first, sub);
    first.publish(new Tick("first", 1));
    assertThat(sub.poll(Duration.ofSeconds(10))).isNotNull();
    first.close();
    EventPublisher second = track(EventPublisher.create(pubSide, scope, "t", PayloadCodec.JSON));
    handshake(second, sub);
    second.publish(new Tick("second", 1));
    assertThat(sub.poll(Duration.ofSeconds(10)).decode(Tick.class)).isEqualTo(new Tick("second", 1));
    assertThat(sub.stats().gaps()).isZero();
    assertThat(sub.stats().publishers()).isEqualTo(2);
  }

  @Test
  void aClosedSubscriberReturnsNull() throws Exception {
    EventSubscriber sub = EventSubscriber.create(transport(), new EventScope.Namespace(ns), "t", PayloadCodec.MSGPACK);
    sub.close();
    assertThat(sub.poll(Duration.ofMillis(200))).isNull();
  }

  @Test
  void aReaderBlockedInNextIsEndedByCloseOrByAnInterrupt() throws Exception {
    EventSubscriber sub = track(EventSubscriber.create(transport(), new EventScope.Namespace(ns), "quiet", PayloadCodec.MSGPACK));
    CompletableFuture<Object> interrupted = new CompletableFuture<>();
    CountDownLatch started = new CountDownLatch(2);
    Thread a = Thread.ofVirtual().start(() -> {
      started.countDown();
      try {
        interrupted.complete(sub.next());
      } catch (InterruptedException e) {
        interrupted.complete(e);
      }
    });
    started.countDown();
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    a.interrupt();
    assertThat(interrupted.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    CompletableFuture<Object> closed = new CompletableFuture<>();
    CountDownLatch reading = new CountDownLatch(1);
    Thread.ofVirtual().start(() -> {
      try {
        reading.countDown();
        closed.complete(Optional.ofNullable(sub.next()));
      } catch (InterruptedException e) {
        closed.complete(e);
      }
    });
    assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();
    sub.close(); // whether the reader is already blocked or about to be, next() ends with null
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
  }
}
