package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.testkit.EventTransportConformance;
import dev.dynamo4j.wire.PayloadCodec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Broker mode: publishers -> XSUB, XPUB -> subscribers; by URL, by discovery, and with two brokers. */
@Timeout(60)
class ZmqBrokerModeTest {
  @Test
  void brokerUrlsParseLikeDynamo() {
    BrokerUrls u = BrokerUrls.parse("xsub=tcp://broker:5555,xpub=tcp://broker:5556");
    assertThat(u.xsub()).containsExactly("tcp://broker:5555");
    assertThat(u.xpub()).containsExactly("tcp://broker:5556");
    BrokerUrls two = BrokerUrls.parse(" xpub=tcp://a:2; tcp://b:2 ;, xsub=tcp://a:1;tcp://b:1");
    assertThat(two.xsub()).containsExactly("tcp://a:1", "tcp://b:1");
    assertThat(two.xpub()).containsExactly("tcp://a:2", "tcp://b:2");
    assertThatThrownBy(() -> BrokerUrls.parse("xsub=tcp://a:1")).hasMessageContaining("exactly two parts");
    assertThatThrownBy(() -> BrokerUrls.parse("xsub=tcp://a:1,pub=tcp://a:2")).hasMessageContaining("xsub= or xpub=");
    assertThatThrownBy(() -> BrokerUrls.parse("xsub=;,xpub=tcp://a:2")).hasMessageContaining("at least one");
  }

  /** The shared suite through one broker given by URL. */
  @Nested
  class ThroughABroker extends EventTransportConformance {
    final ZmqBroker broker = new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", "unused", null);
    ZmqBroker losslessBroker;
    final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);

    @Override
    protected EventTransport newTransport() {
      return new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 100_000,
          new BrokerUrls(List.of(broker.xsubEndpoint()), List.of(broker.xpubEndpoint())), false);
    }

    /** Publishers and the broker wait for room ({@code DYN_ZMQ_SEND_TIMEOUT_MS=-1}) instead of dropping. */
    @Override
    protected EventTransport newLosslessTransport() {
      synchronized (this) {
        if (losslessBroker == null) {
          losslessBroker = new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", "unused", null, true);
        }
      }
      return new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 100_000,
          new BrokerUrls(List.of(losslessBroker.xsubEndpoint()), List.of(losslessBroker.xpubEndpoint())), false,
          ZmqEventOptions.DEFAULTS.withSendTimeout(ZmqEventOptions.FOREVER));
    }

    @AfterEach
    void stopBroker() {
      broker.close();
      if (losslessBroker != null) {
        losslessBroker.close();
      }
    }
  }

  final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);
  final String ns = "brk" + Long.toHexString(System.nanoTime());

  @Test
  void brokersFoundInDiscoveryAreUsedAndTheirAbsenceIsAClearError() throws Exception {
    KvStoreDiscovery brokerSide = new KvStoreDiscovery(new MemoryKeyValueStore(data));
    ZmqEventTransport lonely = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, null, true);
    assertThatThrownBy(() -> lonely.subscribe(new EventScope.Namespace(ns), "t"))
        .hasMessage("DYN_ZMQ_BROKER_ENABLED is set but no broker found in discovery for namespace '" + ns + "'");
    lonely.close();
    try (ZmqBroker broker = new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", ns, brokerSide);
        ZmqEventTransport a = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, null, true);
        ZmqEventTransport b = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, null, true)) {
      EventScope scope = new EventScope.Component(ns, "worker");
      try (EventSubscriber sub = EventSubscriber.create(a, scope, "kv", PayloadCodec.MSGPACK);
          EventPublisher pub = EventPublisher.create(b, scope, "kv", PayloadCodec.MSGPACK)) {
        ReceivedEvent got = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got == null && System.nanoTime() < deadline) {
          pub.publish("via the broker");
          got = sub.poll(Duration.ofMillis(100));
        }
        assertThat(got).isNotNull();
        assertThat(got.decode(String.class)).isEqualTo("via the broker");
      }
    } finally {
      brokerSide.shutdown();
    }
  }

  @Test
  void theFirstEventOfANewPublisherReachesASubscriberThatIsAlreadyThere() throws Exception {
    try (ZmqBroker broker = new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", ns, null)) {
      BrokerUrls urls = new BrokerUrls(List.of(broker.xsubEndpoint()), List.of(broker.xpubEndpoint()));
      try (ZmqEventTransport subSide = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, urls, false);
          ZmqEventTransport pubSide = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, urls, false)) {
        EventScope scope = new EventScope.Namespace(ns);
        try (EventSubscriber sub = EventSubscriber.create(subSide, scope, "first", PayloadCodec.MSGPACK)) {
          // The subscriber's path through the broker is up once an earlier publisher's probe arrives.
          try (EventPublisher earlier = EventPublisher.create(pubSide, scope, "first", PayloadCodec.MSGPACK)) {
            EventTransportConformance.handshakeForTests(earlier, sub);
          }
          for (int round = 0; round < 5; round++) {
            try (EventPublisher fresh = EventPublisher.create(pubSide, scope, "first", PayloadCodec.MSGPACK)) {
              assertThat(fresh.publish("first of " + round)).isZero(); // one event, no probes: it must not be lost
              ReceivedEvent got = sub.poll(Duration.ofSeconds(10));
              assertThat(got).as("round " + round).isNotNull();
              assertThat(got.publisherId()).isEqualTo(fresh.publisherId());
              assertThat(got.decode(String.class)).isEqualTo("first of " + round);
            }
          }
        }
      }
    }
  }

  @Test
  void aBrokerThatNeverHandshakesIsATypedErrorAfterTheReadyDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      BrokerUrls urls = new BrokerUrls(List.of("tcp://127.0.0.1:" + silent.getLocalPort()), List.of("tcp://127.0.0.1:" + silent.getLocalPort()));
      try (ZmqEventTransport t = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, urls, false,
          ZmqEventOptions.fromEnv(Map.of("DYN_ZMQ_BROKER_READY_TIMEOUT_MS", "700"), ZmqEventOptions.DEFAULTS))) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> t.publish(new EventScope.Namespace(ns), "t", 1))
            .isInstanceOf(DynamoException.class)
            .hasMessageContaining("0 of 1 handshakes within 700 ms (DYN_ZMQ_BROKER_READY_TIMEOUT_MS)");
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(600L, 20_000L);
      }
    }
  }

  @Test
  void twoBrokersDeliverEachEventOnce() throws Exception {
    try (ZmqBroker b1 = new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", ns, null);
        ZmqBroker b2 = new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", ns, null)) {
      BrokerUrls both = new BrokerUrls(List.of(b1.xsubEndpoint(), b2.xsubEndpoint()), List.of(b1.xpubEndpoint(), b2.xpubEndpoint()));
      try (ZmqEventTransport subSide = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, both, false);
          ZmqEventTransport pubSide = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000, both, false)) {
        EventScope scope = new EventScope.Namespace(ns);
        try (EventSubscriber sub = EventSubscriber.create(subSide, scope, "t", PayloadCodec.MSGPACK);
            EventPublisher pub = EventPublisher.create(pubSide, scope, "t", PayloadCodec.MSGPACK)) {
          // Probe until events come through both brokers (each probe then arrives twice, once is dropped).
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          int probesSeen = 0;
          while (probesSeen < 5 && System.nanoTime() < deadline) {
            pub.publish("probe");
            if (sub.poll(Duration.ofMillis(100)) != null) {
              probesSeen++;
            }
          }
          while (sub.poll(Duration.ofMillis(300)) != null) {
            // drain probes
          }
          long first = -1;
          for (int i = 0; i < 30; i++) {
            long seq = pub.publish("e" + i);
            if (first < 0) {
              first = seq;
            }
          }
          Set<Long> seqs = new HashSet<>();
          ReceivedEvent e;
          while ((e = sub.poll(Duration.ofMillis(500))) != null) {
            if (e.sequence() >= first) {
              assertThat(seqs.add(e.sequence())).as("sequence " + e.sequence() + " delivered once").isTrue();
            }
          }
          assertThat(seqs).hasSize(30);
        }
      }
    }
  }
}
