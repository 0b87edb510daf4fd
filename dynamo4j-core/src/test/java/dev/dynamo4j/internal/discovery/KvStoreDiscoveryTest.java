package dev.dynamo4j.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.EventChannelTransport;
import dev.dynamo4j.spi.kv.WatchEvent;
import dev.dynamo4j.wire.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ports of discovery/kv_store.rs and discovery/mod.rs unit tests (dynamo-model.md §2.8). */
class KvStoreDiscoveryTest {
  static DiscoveryInstance.Endpoint ep(long id) {
    return new DiscoveryInstance.Endpoint(new Instance("ns", "comp", "ep", id, new TransportType.Tcp("h:1/k"), null, PayloadCodec.MSGPACK));
  }

  static List<DiscoveryEvent> drain(KvStoreDiscovery.Watch w) throws InterruptedException {
    List<DiscoveryEvent> out = new ArrayList<>();
    DiscoveryEvent e;
    while ((e = w.poll(Duration.ofMillis(50))) != null) {
      out.add(e);
    }
    return out;
  }

  /** A watch fed by hand: its store events come from {@code apply}. */
  static KvStoreDiscovery.Watch handFed(DiscoveryQuery q) {
    return new KvStoreDiscovery.Watch(q, new MemoryKeyValueStore().getOrCreateBucket("unused", null).watch());
  }

  @Test
  void resyncRemovesMissingInstancesAndAddsNewOnes() throws Exception {
    KvStoreDiscovery.Watch w = handFed(new DiscoveryQuery.AllEndpoints());
    drain(w); // the empty initial resync of the unused bucket
    Map<String, byte[]> first = new LinkedHashMap<>();
    first.put(ep(1).id().toPath(), ep(1).toJson());
    first.put(ep(2).id().toPath(), ep(2).toJson());
    w.apply(new WatchEvent.Resync(first));
    assertThat(drain(w)).containsExactlyInAnyOrder(new DiscoveryEvent.Added(ep(1)), new DiscoveryEvent.Added(ep(2)));
    Map<String, byte[]> second = new LinkedHashMap<>();
    second.put(ep(2).id().toPath(), ep(2).toJson());
    second.put(ep(3).id().toPath(), ep(3).toJson());
    w.apply(new WatchEvent.Resync(second));
    assertThat(drain(w)).containsExactly(new DiscoveryEvent.Removed(ep(1).id()), new DiscoveryEvent.Added(ep(3)));
  }

  @Test
  void resyncRetainsAKnownInstanceWhoseRecordNoLongerParses() throws Exception {
    KvStoreDiscovery.Watch w = handFed(new DiscoveryQuery.AllEndpoints());
    drain(w);
    w.apply(new WatchEvent.Resync(Map.of(ep(1).id().toPath(), ep(1).toJson())));
    drain(w);
    w.apply(new WatchEvent.Resync(Map.of(ep(1).id().toPath(), "{garbage".getBytes(StandardCharsets.UTF_8))));
    assertThat(drain(w)).isEmpty();
    w.apply(new WatchEvent.Resync(Map.of()));
    assertThat(drain(w)).containsExactly(new DiscoveryEvent.Removed(ep(1).id()));
  }

  @Test
  void addedWithAKnownIdReplacesAndIdenticalPutsAreDropped() throws Exception {
    KvStoreDiscovery.Watch w = handFed(new DiscoveryQuery.AllEndpoints());
    drain(w);
    w.apply(new WatchEvent.Put(ep(1).id().toPath(), ep(1).toJson()));
    w.apply(new WatchEvent.Put(ep(1).id().toPath(), ep(1).toJson()));
    assertThat(drain(w)).hasSize(1);
    DiscoveryInstance.Endpoint moved =
        new DiscoveryInstance.Endpoint(new Instance("ns", "comp", "ep", 1, new TransportType.Tcp("h:2/k"), null, PayloadCodec.MSGPACK));
    w.apply(new WatchEvent.Put(moved.id().toPath(), moved.toJson()));
    assertThat(drain(w)).containsExactly(new DiscoveryEvent.Added(moved));
  }

  @Test
  void deleteOfAnUnknownKeyDerivesItsIdFromThePath() throws Exception {
    KvStoreDiscovery.Watch w = handFed(new DiscoveryQuery.AllEndpoints());
    drain(w);
    w.apply(new WatchEvent.Delete("ns/comp/ep/ff"));
    assertThat(drain(w)).containsExactly(new DiscoveryEvent.Removed(new DiscoveryInstanceId.Endpoint("ns", "comp", "ep", 0xff)));
  }

  @Test
  void prefixMatchingRequiresAPathBoundary() {
    assertThat(DiscoveryQuery.matchesPrefix("ns/component2/ep/1", "ns/component")).isFalse();
    assertThat(DiscoveryQuery.matchesPrefix("ns/component/ep/1", "ns/component")).isTrue();
    assertThat(DiscoveryQuery.matchesPrefix("ns/component", "ns/component")).isTrue();
    assertThat(DiscoveryQuery.matchesPrefix("anything", "")).isTrue();
  }

  @Test
  void bucketForPrefixRequiresAPathBoundary() {
    assertThat(KvStoreDiscovery.bucketForPrefix("v1/instances/ns/comp")).contains("v1/instances");
    assertThat(KvStoreDiscovery.bucketForPrefix("v1/instances")).contains("v1/instances");
    assertThat(KvStoreDiscovery.bucketForPrefix("v1/instances2/ns")).isEmpty();
    assertThat(KvStoreDiscovery.bucketForPrefix("v1/mdc/ns")).contains("v1/mdc");
  }

  @Test
  void eventPathsRoundTripReservedSegments() {
    EventScope scope = new EventScope.Endpoint("ns.one", "worker/*", "generate.>");
    var channel = new DiscoveryInstanceId.EventChannel(scope, "kv.events/%", 0xabcL);
    String path = channel.toPath();
    assertThat(path).isEqualTo("namespace/ns%2Eone/component/worker%2F%2A/endpoint/generate%2E%3E/topic/kv%2Eevents%2F%25/abc");
    assertThat(path).doesNotContain("worker/*").doesNotContain("kv.events");
    assertThat(DiscoveryInstanceId.parseEvent(path, false)).isEqualTo(channel);
    var source = new DiscoveryInstanceId.EventSource(new EventScope.Namespace("a/b"), "t", 7);
    assertThat(DiscoveryInstanceId.parseEvent(source.toPath(), true)).isEqualTo(source);
    var model = new DiscoveryInstanceId.Model("ns", "c", "e", 0x1f, "lora1");
    assertThat(model.toPath()).isEqualTo("ns/c/e/1f/lora1");
    assertThat(DiscoveryInstanceId.parseModel(model.toPath())).isEqualTo(model);
    assertThat(new DiscoveryInstanceId.Model("ns", "c", "e", 1, "").toPath()).isEqualTo("ns/c/e/1");
  }

  @Test
  void discoveryRecordsSerializeToDynamosExactJson() {
    var model = new DiscoveryInstance.Model("ns", "c", "e", 5, JsonNodeFactory.instance.objectNode().put("display_name", "m"), null);
    assertThat(new String(model.toJson()))
        .isEqualTo("{\"type\":\"Model\",\"namespace\":\"ns\",\"component\":\"c\",\"endpoint\":\"e\",\"instance_id\":5,\"card_json\":{\"display_name\":\"m\"}}");
    var channel = new DiscoveryInstance.EventChannel(new EventScope.Component("ns", "c"), "kv-events", 12345, new EventChannelTransport.Zmq("tcp://10.0.0.1:5555"));
    assertThat(new String(channel.toJson()))
        .isEqualTo("{\"type\":\"EventChannel\",\"scope\":{\"kind\":\"component\",\"namespace\":\"ns\",\"component\":\"c\"},\"topic\":\"kv-events\","
            + "\"instance_id\":12345,\"transport\":{\"kind\":\"Zmq\",\"config\":{\"endpoint\":\"tcp://10.0.0.1:5555\"}}}");
    var source = new DiscoveryInstance.EventSource(new EventScope.Endpoint("ns", "c", "e"), "t", 9, JsonNodeFactory.instance.objectNode());
    assertThat(new String(source.toJson()))
        .isEqualTo("{\"type\":\"EventSource\",\"scope\":{\"kind\":\"endpoint\",\"endpoint\":{\"namespace\":\"ns\",\"component\":\"c\",\"name\":\"e\"}},\"topic\":\"t\",\"publisher_id\":9,\"metadata\":{}}");
    var broker = new DiscoveryInstance.EventChannel(new EventScope.Namespace("ns"), "t", 1,
        new EventChannelTransport.ZmqBroker(List.of("tcp://b:5555"), List.of("tcp://b:5556")));
    assertThat(new String(broker.toJson())).contains("{\"kind\":\"ZmqBroker\",\"config\":{\"xsub_endpoints\":[\"tcp://b:5555\"],\"xpub_endpoints\":[\"tcp://b:5556\"]}}");
    for (DiscoveryInstance i : List.of(model, channel, source, broker, ep(3))) {
      assertThat(DiscoveryInstance.fromJson(i.toJson())).isEqualTo(i);
    }
    var nats = new DiscoveryInstance.EventChannel(new EventScope.Namespace("ns"), "t", 1, new EventChannelTransport.Nats("namespace.ns"));
    assertThat(new String(nats.toJson())).contains("{\"kind\":\"Nats\",\"config\":{\"subject_prefix\":\"namespace.ns\"}}");
  }

  @Test
  void fieldWatchKeepsOneValuePerInstance() throws Exception {
    MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(16);
    KvStoreDiscovery a = new KvStoreDiscovery(new MemoryKeyValueStore(data));
    KvStoreDiscovery b = new KvStoreDiscovery(new MemoryKeyValueStore(data));
    try (FieldWatch<String> fw = FieldWatch.start(a, new DiscoveryQuery.AllModels(), card -> card.get("display_name").textValue())) {
      a.register(new DiscoverySpec.Model("ns", "c", "e", JsonNodeFactory.instance.objectNode().put("display_name", "m1"), null));
      Map<Long, String> m = fw.awaitVersion(0, Duration.ofSeconds(5));
      assertThat(m).containsExactly(Map.entry(a.instanceId(), "m1"));
      b.register(new DiscoverySpec.Model("ns", "c", "e", JsonNodeFactory.instance.objectNode().put("display_name", "m1"), null));
      assertThat(fw.awaitVersion(1, Duration.ofSeconds(5))).hasSize(2);
      b.shutdown();
      assertThat(fw.awaitVersion(2, Duration.ofSeconds(5))).containsOnlyKeys(a.instanceId());
    }
  }
}
