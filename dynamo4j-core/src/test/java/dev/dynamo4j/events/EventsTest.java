package dev.dynamo4j.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.events.InProcessEventTransport;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.PayloadCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventsTest {
  @Test
  void gapCounterVectorOfTheSpec() {
    GapTracker t = new GapTracker();
    long[][] events = {{1, 0}, {1, 1}, {1, 3}, {2, 0}, {2, 1}};
    for (long[] e : events) {
      t.observe(e[0], e[1], null);
    }
    assertThat(t.stats()).isEqualTo(new EventSubscriber.Stats(5, 1, 0, 2));
  }

  @Test
  void duplicatesAreCountedAndDropped() {
    GapTracker t = new GapTracker();
    assertThat(t.observe(7, 11, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.observe(7, 11, null)).isEqualTo(GapTracker.Verdict.DUPLICATE);
    assertThat(t.observe(7, 12, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.observe(8, 11, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.stats()).isEqualTo(new EventSubscriber.Stats(3, 0, 1, 2));
  }

  @Test
  void oneEventWithAWildSequenceDoesNotSwallowThePublishersLaterEvents() {
    // issue 15: an event with sequence 2^62 made every later event of its publisher a duplicate
    GapTracker t = new GapTracker();
    for (long s = 0; s < 3; s++) {
      assertThat(t.observe(9, s, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    }
    assertThat(t.observe(9, 1L << 62, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    for (long s = 3; s < 10; s++) {
      assertThat(t.observe(9, s, null)).as("sequence %d", s).isEqualTo(GapTracker.Verdict.DELIVER);
    }
    assertThat(t.observe(9, -1L, null)).as("the unsigned top").isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.observe(9, 10, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.stats()).isEqualTo(new EventSubscriber.Stats(13, 0, 0, 1, 2));
  }

  @Test
  void aRealLossOfManyEventsIsBelievedOnceTheNextEventContinuesFromIt() {
    GapTracker t = new GapTracker();
    long[] gap = new long[1];
    t.observe(4, 0, gap);
    t.observe(4, 1, gap);
    assertThat(t.observe(4, 10_000, gap)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.observe(4, 10_001, gap)).isEqualTo(GapTracker.Verdict.DELIVER_AFTER_GAP);
    assertThat(gap[0]).isEqualTo(9_998);
    assertThat(t.observe(4, 10_002, gap)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.observe(4, 5, gap)).as("from before the jump: lost for good").isEqualTo(GapTracker.Verdict.DUPLICATE);
    assertThat(t.stats()).isEqualTo(new EventSubscriber.Stats(5, 9_998, 1, 1, 1));
  }

  @Test
  void aSpoofedEventAFewAheadOnlyOpensHolesThatTheRealEventsFill() {
    GapTracker t = new GapTracker();
    for (long s = 0; s <= 5; s++) {
      t.observe(1, s, null);
    }
    t.observe(1, 100, null); // another publisher using this one's id
    for (long s = 6; s < 100; s++) {
      assertThat(t.observe(1, s, null)).as("sequence %d", s).isEqualTo(GapTracker.Verdict.DELIVER);
    }
    assertThat(t.stats().gaps()).isZero();
  }

  @Test
  void aLateEventFillsItsHoleAndIsNoLongerAGap() {
    GapTracker t = new GapTracker();
    t.observe(1, 0, null);
    assertThat(t.observe(1, 3, null)).isEqualTo(GapTracker.Verdict.DELIVER_AFTER_GAP);
    assertThat(t.stats().gaps()).isEqualTo(2);
    assertThat(t.observe(1, 2, null)).isEqualTo(GapTracker.Verdict.DELIVER);
    assertThat(t.observe(1, 2, null)).isEqualTo(GapTracker.Verdict.DUPLICATE);
    assertThat(t.stats()).isEqualTo(new EventSubscriber.Stats(3, 1, 1, 1));
  }

  @Test
  void aSubscriberSkipsOtherTopicsAndReportsGaps() throws Exception {
    EventScope scope = new EventScope.Namespace("gaps" + System.nanoTime());
    InProcessEventTransport transport = new InProcessEventTransport();
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, "t", PayloadCodec.MSGPACK)) {
      List<long[]> gaps = new ArrayList<>();
      sub.onGap((pid, seq, missing) -> gaps.add(new long[] {pid, seq, missing}));
      EventTransport.Publication raw = transport.publish(scope, "t", 42);
      // (malformed bytes are the wire transports' to drop: ZmqValidationTest, NatsEventTransportTest)
      raw.send(new EventEnvelope(42, 0, 1, "other-topic", new byte[0]));
      raw.send(new EventEnvelope(42, 0, 1, "t", PayloadCodec.MSGPACK.encode("a")));
      raw.send(new EventEnvelope(42, 3, 1, "t", PayloadCodec.MSGPACK.encode("d")));
      raw.send(new EventEnvelope(42, 3, 1, "t", PayloadCodec.MSGPACK.encode("d again")));
      raw.send(new EventEnvelope(42, 4, 1, "t", PayloadCodec.MSGPACK.encode("e")));
      assertThat(sub.poll(Duration.ofSeconds(2)).decode(String.class)).isEqualTo("a");
      assertThat(sub.poll(Duration.ofSeconds(2)).decode(String.class)).isEqualTo("d");
      assertThat(sub.poll(Duration.ofSeconds(2)).decode(String.class)).isEqualTo("e");
      assertThat(sub.malformed()).isZero();
      assertThat(sub.stats().duplicates()).isEqualTo(1);
      assertThat(sub.stats().received()).isEqualTo(3);
      assertThat(sub.stats().gaps()).isEqualTo(2);
      assertThat(gaps).hasSize(1);
      assertThat(gaps.get(0)).containsExactly(42, 3, 2);
    }
  }

  @Test
  void concurrentPublishersOfOneTopicGetExactIncreasingSequencesOnTheWire() throws Exception {
    EventScope scope = new EventScope.Namespace("seq" + System.nanoTime());
    InProcessEventTransport transport = new InProcessEventTransport(200_000);
    int threads = 4;
    int each = 25_000;
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, "t", PayloadCodec.MSGPACK);
        EventPublisher pub = EventPublisher.create(transport, scope, "t", PayloadCodec.MSGPACK)) {
      Set<Long> returned = ConcurrentHashMap.newKeySet();
      List<Thread> ts = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int t = 0; t < threads; t++) {
        ts.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          byte[] payload = PayloadCodec.MSGPACK.encode("x");
          for (int i = 0; i < each; i++) {
            returned.add(pub.publishBytes(payload));
          }
        }));
      }
      go.countDown();
      for (Thread t : ts) {
        t.join();
      }
      assertThat(returned).hasSize(threads * each);
      for (long expected = 0; expected < threads * each; expected++) {
        ReceivedEvent e = sub.poll(Duration.ofSeconds(5));
        assertThat(e).isNotNull();
        assertThat(e.sequence()).isEqualTo(expected); // in order on the wire, none twice, none missing
      }
      assertThat(pub.sent()).isEqualTo(threads * each);
      assertThat(pub.dropped()).isZero();
      assertThat(sub.stats().gaps()).isZero();
    }
  }

  @Test
  void anEventWhoseSendFailsIsCountedAsFailedAndTheOnesBehindItStillGo() {
    List<Long> seen = new ArrayList<>();
    EventTransport broken = new EventTransport() {
      @Override
      public String name() {
        return "test";
      }

      @Override
      public Publication publish(EventScope scope, String topic, long publisherId) {
        return new Publication() {
          @Override
          public boolean send(EventEnvelope envelope) {
            if (envelope.sequence() == 1) {
              throw new DynamoException(ErrorType.Disconnected, "the connection broke");
            }
            seen.add(envelope.sequence());
            return true;
          }

          @Override
          public void close() {}
        };
      }

      @Override
      public Subscription subscribe(EventScope scope, String topic) {
        throw new UnsupportedOperationException("this test transport only publishes: the test never subscribes");
      }

      @Override
      public void close() {}
    };
    try (EventPublisher pub = EventPublisher.create(broken, new EventScope.Namespace("ns"), "t", PayloadCodec.MSGPACK)) {
      pub.publishBytes(new byte[] {1});
      assertThatThrownBy(() -> pub.publishBytes(new byte[] {2}))
          .hasMessageContaining("the connection broke");
      pub.publishBytes(new byte[] {3});
      assertThat(seen).containsExactly(0L, 2L);
      assertThat(pub.sent()).isEqualTo(2);
      assertThat(pub.failed()).isEqualTo(1);
      assertThat(pub.dropped()).isZero();
    }
  }
}
