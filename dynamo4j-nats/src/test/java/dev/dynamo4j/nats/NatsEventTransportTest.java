package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.EventQuery;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.testkit.EventTransportConformance;
import dev.dynamo4j.testkit.NatsServerExtension;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.PayloadCodec;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NATS event plane passes the shared suite against a real nats-server; the subject and record are Dynamo's. */
class NatsEventTransportTest extends EventTransportConformance {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();
  final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);

  static Connection connect() {
    return NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build());
  }

  @Override
  protected EventTransport newTransport() {
    return new NatsEventTransport(connect(), true, new KvStoreDiscovery(new MemoryKeyValueStore(data)));
  }

  @Test
  void eventsAreBareEnvelopesOnTheScopedSubjectAndPublishersAreRegistered() throws Exception {
    KvStoreDiscovery discovery = new KvStoreDiscovery(new MemoryKeyValueStore(data));
    try (Connection raw = connect();
        NatsEventTransport t = new NatsEventTransport(connect(), true, discovery)) {
      EventScope scope = new EventScope.Component("ns.one", "worker/*");
      Subscription sub = raw.subscribe("namespace.ns%2Eone.component.worker%2F%2A.kv%2Eevents");
      raw.flush(Duration.ofSeconds(5));
      try (EventPublisher pub = EventPublisher.create(t, scope, "kv.events", PayloadCodec.MSGPACK)) {
        DiscoveryInstance.EventChannel rec = (DiscoveryInstance.EventChannel)
            discovery.list(new DiscoveryQuery.EventChannels(EventQuery.of(scope, "kv.events"))).get(0);
        assertThat(new String(rec.toJson())).contains("\"transport\":{\"kind\":\"Nats\",\"config\":{\"subject_prefix\":\"namespace.ns%2Eone.component.worker%2F%2A\"}}");
        pub.publish("x");
        Message m = sub.nextMessage(Duration.ofSeconds(5));
        assertThat(m).isNotNull();
        EventEnvelope env = EventEnvelope.decode(m.getData());
        assertThat(env.topic()).isEqualTo("kv.events");
        assertThat(env.publisherId()).isEqualTo(pub.publisherId());
      }
    } finally {
      discovery.shutdown();
    }
  }

  @Test
  void messagesThatAreNotEnvelopesAreDroppedCountedAndReadingGoesOn() throws Exception {
    KvStoreDiscovery discovery = new KvStoreDiscovery(new MemoryKeyValueStore(data));
    try (Connection raw = connect();
        NatsEventTransport t = new NatsEventTransport(connect(), true, discovery)) {
      EventScope scope = new EventScope.Namespace("bad" + System.nanoTime());
      try (EventSubscriber sub = EventSubscriber.create(t, scope, "t", PayloadCodec.MSGPACK)) {
        String subject = scope.subject("t");
        raw.publish(subject, new byte[] {(byte) 0xc1}); // not MessagePack
        raw.publish(subject, new byte[0]);
        raw.publish(subject, new EventEnvelope(5, 0, 1, "t", PayloadCodec.MSGPACK.encode("the valid one")).encode());
        raw.flush(Duration.ofSeconds(5));
        ReceivedEvent e = sub.poll(Duration.ofSeconds(10));
        assertThat(e).isNotNull();
        assertThat(e.decode(String.class)).isEqualTo("the valid one");
        assertThat(sub.malformed()).isEqualTo(2);
      }
    } finally {
      discovery.shutdown();
    }
  }
}
