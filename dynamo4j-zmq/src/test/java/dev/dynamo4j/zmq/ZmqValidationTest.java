package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.EventChannelTransport.Zmq;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.EventFrame;
import dev.dynamo4j.wire.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Hand-made ZMQ messages against a dynamo4j subscriber: the §1.9 malformed cases, gaps, publishers that come and go. */
@Timeout(60)
class ZmqValidationTest {
  final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);
  final KvStoreDiscovery discovery = new KvStoreDiscovery(new MemoryKeyValueStore(data));
  final ZmqEventTransport transport = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000);
  final ZContext ctx = new ZContext();
  final String ns = "val" + Long.toHexString(System.nanoTime());

  @AfterEach
  void close() {
    transport.close();
    ctx.close();
    discovery.shutdown();
  }

  /** A raw PUB registered in discovery as publisher {@code pid} of (scope, topic). */
  ZMQ.Socket rawPublisher(EventScope scope, String topic, long pid) {
    ZMQ.Socket pub = ctx.createSocket(SocketType.PUB);
    pub.setLinger(0);
    pub.bind("tcp://127.0.0.1:*");
    String ep = pub.getLastEndpoint();
    discovery.register(new DiscoverySpec.EventChannel(scope, topic, pid, new Zmq(ep)));
    return pub;
  }

  static void send(ZMQ.Socket pub, byte[]... parts) {
    for (int i = 0; i < parts.length; i++) {
      pub.send(parts[i], i < parts.length - 1 ? ZMQ.SNDMORE : 0);
    }
  }

  static byte[] valid(long pid, long seq, String topic, String payload) {
    return EventFrame.encode(new EventEnvelope(pid, seq, 1, topic, PayloadCodec.MSGPACK.encode(payload)).encode());
  }

  /** Sends valid probes (seq 0..) until the subscriber sees one; returns the next sequence. */
  static long handshake(ZMQ.Socket pub, EventSubscriber sub, long pid, String topic) throws Exception {
    long seq = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      send(pub, topic.getBytes(StandardCharsets.UTF_8), ZmqEventTransport.u64(pid), ZmqEventTransport.u64(seq), valid(pid, seq, topic, "probe"));
      seq++;
      if (sub.poll(Duration.ofMillis(100)) != null) {
        while (sub.poll(Duration.ofMillis(200)) != null) {
          // drain
        }
        return seq;
      }
    }
    throw new AssertionError("no probe arrived");
  }

  @Test
  void malformedMessagesAreSkippedAndAValidOneAfterThemArrives() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    String topic = "kv-events";
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, topic, PayloadCodec.MSGPACK)) {
      ZMQ.Socket pub = rawPublisher(scope, topic, 7);
      long seq = handshake(pub, sub, 7, topic);
      byte[] pid = ZmqEventTransport.u64(7);
      send(pub, t, pid, ZmqEventTransport.u64(seq)); // 3 parts
      send(pub, t, pid, ZmqEventTransport.u64(seq), valid(7, seq, topic, "x"), new byte[] {1}); // 5 parts
      send(pub, t, new byte[7], ZmqEventTransport.u64(seq), valid(7, seq, topic, "x")); // 7-byte publisher id
      send(pub, t, pid, new byte[7], valid(7, seq, topic, "x")); // 7-byte sequence
      send(pub, t, pid, ZmqEventTransport.u64(seq), new byte[] {99, 0, 0, 0, 0}); // bad frame version
      byte[] collision = (topic + "-prefix-collision").getBytes(StandardCharsets.UTF_8);
      send(pub, collision, pid, ZmqEventTransport.u64(seq), valid(7, seq, topic + "-prefix-collision", "x")); // prefix match
      send(pub, t, ZmqEventTransport.u64(8), ZmqEventTransport.u64(seq), valid(7, seq, topic, "x")); // identity mismatch
      send(pub, t, pid, ZmqEventTransport.u64(seq), EventFrame.encode(new byte[] {(byte) 0xc1})); // envelope does not decode
      send(pub, t, pid, ZmqEventTransport.u64(seq), valid(7, seq, topic, "the valid one"));
      ReceivedEvent e = sub.poll(Duration.ofSeconds(10));
      assertThat(e).isNotNull();
      assertThat(e.decode(String.class)).isEqualTo("the valid one");
      assertThat(sub.poll(Duration.ofMillis(300))).isNull();
      pub.close();
    }
  }

  @Test
  void aPartOverTheMaximumMessageSizeIsNeverDeliveredAndTheSubscriberGoesOn() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    String topic = "big";
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    try (ZmqEventTransport small = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, null, false,
            ZmqEventOptions.DEFAULTS.withMaxMessageBytes(1 << 20));
        EventSubscriber sub = EventSubscriber.create(small, scope, topic, PayloadCodec.MSGPACK)) {
      ZMQ.Socket offender = rawPublisher(scope, topic, 5);
      long seq = handshake(offender, sub, 5, topic);
      // 4 MiB in one part (DYN_ZMQ_MAX_MESSAGE_BYTES is 1 MiB here): ZMQ drops that publisher's
      // connection before the part is allocated; nothing of it is delivered.
      send(offender, t, ZmqEventTransport.u64(5), ZmqEventTransport.u64(seq), valid(5, seq, topic, "x".repeat(4 << 20)));
      // other publishers of the topic are still heard
      ZMQ.Socket other = rawPublisher(scope, topic, 6);
      handshake(other, sub, 6, topic);
      send(other, t, ZmqEventTransport.u64(6), ZmqEventTransport.u64(1000), valid(6, 1000, topic, "after"));
      ReceivedEvent e;
      String last = null;
      while ((e = sub.poll(Duration.ofSeconds(5))) != null) {
        last = e.decode(String.class);
        assertThat(last.length()).as("the oversized event is never delivered").isLessThan(1000);
        if (last.equals("after")) {
          break;
        }
      }
      assertThat(last).isEqualTo("after");
      offender.close();
      other.close();
    }
  }

  @Test
  void aPublisherCannotSendUnderAnotherPublishersIdInDirectMode() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    String topic = "spoof";
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, topic, PayloadCodec.MSGPACK)) {
      ZMQ.Socket victim = rawPublisher(scope, topic, 1);
      ZMQ.Socket attacker = rawPublisher(scope, topic, 2);
      long seq = handshake(victim, sub, 1, topic);
      handshake(attacker, sub, 2, topic);
      long malformedBefore = sub.malformed();
      // well-formed events that claim to be the victim's, far ahead of its sequence: before, they
      // were delivered and made every later event of the victim look like a duplicate
      for (int i = 0; i < 50; i++) {
        send(attacker, t, ZmqEventTransport.u64(1), ZmqEventTransport.u64(seq + 100 + i), valid(1, seq + 100 + i, topic, "forged"));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        sub.poll(Duration.ofMillis(10)); // reading is what finds and drops them
        return sub.malformed() - malformedBefore == 50;
      });
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        send(victim, t, ZmqEventTransport.u64(1), ZmqEventTransport.u64(seq + i), valid(1, seq + i, topic, "real" + i));
      }
      while (got.size() < 5) {
        ReceivedEvent e = sub.poll(Duration.ofSeconds(10));
        assertThat(e).as("the victim's events after the forgeries, got %s", got).isNotNull();
        got.add(e.decode(String.class));
      }
      assertThat(got).containsExactly("real0", "real1", "real2", "real3", "real4");
      assertThat(sub.stats().gaps()).isZero();
      victim.close();
      attacker.close();
    }
  }

  @Test
  void aReaderWaitingOnSeveralPublishersIsEndedByAnInterruptAndByClose() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    EventSubscriber sub = EventSubscriber.create(transport, scope, "quiet", PayloadCodec.MSGPACK);
    ZMQ.Socket p1 = rawPublisher(scope, "quiet", 11);
    ZMQ.Socket p2 = rawPublisher(scope, "quiet", 12);
    handshake(p1, sub, 11, "quiet");
    handshake(p2, sub, 12, "quiet"); // both connected: the reader waits on the poller over two sockets
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread reader = Thread.ofVirtual().start(() -> {
      started.countDown();
      try {
        outcome.complete(sub.next());
      } catch (InterruptedException e) {
        outcome.complete(e);
      }
    });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    reader.interrupt();
    assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    CompletableFuture<Object> closed = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        closed.complete(Optional.ofNullable(sub.next()));
      } catch (InterruptedException e) {
        closed.complete(e);
      }
    });
    sub.close();
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
    p1.close();
    p2.close();
  }

  @Test
  void aSkippedSequenceIsCountedExactly() throws Exception {
    EventScope scope = new EventScope.Component(ns, "c");
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, "t", PayloadCodec.MSGPACK)) {
      ZMQ.Socket pub = rawPublisher(scope, "t", 1);
      long seq = handshake(pub, sub, 1, "t");
      long before = sub.stats().received();
      byte[] t = "t".getBytes(StandardCharsets.UTF_8);
      for (long s : new long[] {seq, seq + 1, seq + 4, seq + 5}) {
        send(pub, t, ZmqEventTransport.u64(1), ZmqEventTransport.u64(s), valid(1, s, "t", "e" + s));
      }
      for (int i = 0; i < 4; i++) {
        assertThat(sub.poll(Duration.ofSeconds(10))).isNotNull();
      }
      assertThat(sub.stats().received() - before).isEqualTo(4);
      assertThat(sub.stats().gaps()).isEqualTo(2);
      pub.close();
    }
  }

  @Test
  void publishersThatComeAndGoAreConnectedAndDropped() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    ZmqEventTransport other = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000);
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, "t", PayloadCodec.MSGPACK)) {
      EventPublisher a = EventPublisher.create(other, scope, "t", PayloadCodec.MSGPACK);
      long appeared = System.nanoTime();
      await().atMost(Duration.ofSeconds(1)).until(() -> sub.connectedPublishers() == 1);
      System.out.printf("publisher connected %.1f ms after it registered%n", (System.nanoTime() - appeared) / 1e6);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      ReceivedEvent got = null;
      while (got == null && System.nanoTime() < deadline) {
        a.publish("hello");
        got = sub.poll(Duration.ofMillis(100));
      }
      assertThat(got).isNotNull();
      a.close();
      await().atMost(Duration.ofSeconds(1)).until(() -> sub.connectedPublishers() == 0);
    } finally {
      other.close();
    }
  }

  @Test
  void unspecifiedAdvertiseAddressesAreRefusedAndEndpointsFormatLikeDynamo() {
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_EVENT_PLANE_HOST", "0.0.0.0")).build())
        .hasMessage("Invalid DYN_EVENT_PLANE_HOST value '0.0.0.0': unspecified IP addresses cannot be advertised");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_EVENT_PLANE_HOST", "[::]")).build())
        .hasMessageContaining("unspecified IP addresses cannot be advertised");
    assertThat(ZmqEventTransport.endpoint("192.0.2.10", 4321)).isEqualTo("tcp://192.0.2.10:4321");
    assertThat(ZmqEventTransport.endpoint("2001:db8::10", 4321)).isEqualTo("tcp://[2001:db8::10]:4321");
    assertThat(ZmqEventTransport.hosts("[2001:db8::10]")[1]).isEqualTo("2001:db8::10");
    assertThat(ZmqEventTransport.hosts(null)[1]).isEqualTo("127.0.0.1");
    assertThat(ZmqEventTransport.u64(12345)).containsExactly(0, 0, 0, 0, 0, 0, 0x30, 0x39);
    assertThat(ZmqEventTransport.u64(1)).containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
  }
}
