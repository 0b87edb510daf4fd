package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.EventChannelTransport;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.WireFormatException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code spec.data}: Dynamo's four maps keyed by path form, written exactly, read leniently (Dynamo 1.2 records too). */
class DiscoveryMetadataTest {
  static JsonNode json(String s) {
    return Json.parseObject("test", s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writesTheFourMapsKeyedByPathWithTheTaggedRecords() {
    DiscoveryMetadata md = new DiscoveryMetadata();
    md.put(new DiscoverySpec.Endpoint("dynamo", "backend", "generate", new TransportType.Tcp("10.0.0.5:9999/generate"), null, PayloadCodec.MSGPACK).toInstance(42));
    md.put(new DiscoveryInstance.EventChannel(new EventScope.Component("dynamo", "backend"), "kv-events", 42, new EventChannelTransport.Zmq("tcp://10.0.0.5:5557")));
    String written = md.toJson().toString();
    assertThat(written).startsWith("{\"endpoints\":{\"dynamo/backend/generate/2a\":{\"type\":\"Endpoint\",\"component\":\"backend\"")
        .contains("\"model_cards\":{}", "\"event_sources\":{}")
        .contains("\"event_channels\":{\"namespace/dynamo/component/backend/topic/kv-events/2a\":{\"type\":\"EventChannel\"");
    DiscoveryMetadata back = DiscoveryMetadata.fromJson(json(written));
    assertThat(back.all()).containsExactlyElementsOf(md.all());
  }

  @Test
  void aDynamo12RecordIsStillRead() {
    // the shape of Dynamo's kube/fixtures/v1_2_dwm.json: NATS transports, a null model_suffix,
    // event channels with namespace/component fields instead of a scope (empty component: namespace)
    String v12 = """
        {"endpoints":{"dynamo/backend/generate/2a":{"type":"Endpoint","namespace":"dynamo","component":"backend","endpoint":"generate",
          "instance_id":42,"transport":{"nats_tcp":"dynamo.backend.generate"}}},
         "model_cards":{"dynamo/backend/generate/2a":{"type":"Model","namespace":"dynamo","component":"backend","endpoint":"generate",
          "instance_id":42,"card_json":{"display_name":"Qwen/Qwen3-0.6B"},"model_suffix":null}},
         "event_channels":{
          "dynamo/backend/kv-events/2a":{"type":"EventChannel","namespace":"dynamo","component":"backend","topic":"kv-events","instance_id":42,
            "transport":{"kind":"Nats","config":{"subject_prefix":"namespace.dynamo.component.backend"}}},
          "dynamo//kv_metrics/2a":{"type":"EventChannel","namespace":"dynamo","component":"","topic":"kv_metrics","instance_id":42,
            "transport":{"kind":"Nats","config":{"subject_prefix":"namespace.dynamo"}}}}}
        """;
    DiscoveryMetadata md = DiscoveryMetadata.fromJson(json(v12));
    assertThat(md.all()).hasSize(4);
    assertThat(md.all()).anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(DiscoveryInstance.EventChannel.class, c -> {
      assertThat(c.topic()).isEqualTo("kv_metrics");
      assertThat(c.scope()).isEqualTo(new EventScope.Namespace("dynamo"));
    }));
    assertThat(md.all()).anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(DiscoveryInstance.EventChannel.class, c -> {
      assertThat(c.topic()).isEqualTo("kv-events");
      assertThat(c.scope()).isEqualTo(new EventScope.Component("dynamo", "backend"));
      assertThat(c.transport()).isEqualTo(new EventChannelTransport.Nats("namespace.dynamo.component.backend"));
    }));
    assertThat(md.all()).anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(DiscoveryInstance.Model.class, m -> assertThat(m.modelSuffix()).isNull()));
  }

  @Test
  void missingOrNullMapsAreEmptyAndGarbageIsRefused() {
    assertThat(DiscoveryMetadata.fromJson(json("{\"endpoints\":null}")).isEmpty()).isTrue();
    assertThat(DiscoveryMetadata.fromJson(JsonNodeFactory.instance.objectNode()).isEmpty()).isTrue();
    assertThatThrownBy(() -> DiscoveryMetadata.fromJson(null)).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> DiscoveryMetadata.fromJson(json("{\"endpoints\":[]}"))).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> DiscoveryMetadata.fromJson(json("{\"endpoints\":{\"x\":{\"type\":\"Spaceship\"}}}"))).isInstanceOf(WireFormatException.class);
  }
}
