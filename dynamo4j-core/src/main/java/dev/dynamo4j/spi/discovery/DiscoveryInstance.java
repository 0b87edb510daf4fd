package dev.dynamo4j.spi.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.WireFormatException;

/**
 * A registered record. JSON is internally tagged by {@code type}: {@code Endpoint}, {@code
 * Model}, {@code EventChannel}, {@code EventSource}, with the field order of Dynamo's structs.
 */
public sealed interface DiscoveryInstance {
  String FORMAT = "DiscoveryInstance";

  DiscoveryInstanceId id();

  /** The stored value: JSON with the {@code type} tag first. */
  byte[] toJson();

  /** An endpoint instance. */
  record Endpoint(Instance instance) implements DiscoveryInstance {
    public DiscoveryInstanceId.Endpoint id() {
      return new DiscoveryInstanceId.Endpoint(instance.namespace(), instance.component(), instance.endpoint(), instance.instanceId());
    }

    public byte[] toJson() {
      return instance.toDiscoveryJson();
    }
  }

  /** A model card served at an endpoint; {@code modelSuffix} marks a LoRA adapter. */
  record Model(String namespace, String component, String endpoint, long instanceId, JsonNode cardJson, String modelSuffix)
      implements DiscoveryInstance {
    public Model {
      modelSuffix = modelSuffix == null || modelSuffix.isEmpty() ? null : modelSuffix;
    }

    public DiscoveryInstanceId.Model id() {
      return new DiscoveryInstanceId.Model(namespace, component, endpoint, instanceId, modelSuffix);
    }

    public byte[] toJson() {
      return Json.write(g -> {
        g.writeStartObject();
        g.writeStringField("type", "Model");
        g.writeStringField("namespace", namespace);
        g.writeStringField("component", component);
        g.writeStringField("endpoint", endpoint);
        g.writeFieldName("instance_id");
        Json.writeUnsigned(g, instanceId);
        g.writeFieldName("card_json");
        g.writeTree(cardJson);
        if (modelSuffix != null) {
          g.writeStringField("model_suffix", modelSuffix);
        }
        g.writeEndObject();
      });
    }
  }

  /** Where to subscribe to one publisher's events; {@code instanceId} is the publisher id. */
  record EventChannel(EventScope scope, String topic, long instanceId, EventChannelTransport transport) implements DiscoveryInstance {
    public DiscoveryInstanceId.EventChannel id() {
      return new DiscoveryInstanceId.EventChannel(scope, topic, instanceId);
    }

    public byte[] toJson() {
      return Json.write(g -> {
        g.writeStartObject();
        g.writeStringField("type", "EventChannel");
        g.writeFieldName("scope");
        scope.write(g);
        g.writeStringField("topic", topic);
        g.writeFieldName("instance_id");
        Json.writeUnsigned(g, instanceId);
        g.writeFieldName("transport");
        transport.write(g);
        g.writeEndObject();
      });
    }
  }

  /** A semantic event source, independent of transport. */
  record EventSource(EventScope scope, String topic, long publisherId, JsonNode metadata) implements DiscoveryInstance {
    public DiscoveryInstanceId.EventSource id() {
      return new DiscoveryInstanceId.EventSource(scope, topic, publisherId);
    }

    public byte[] toJson() {
      return Json.write(g -> {
        g.writeStartObject();
        g.writeStringField("type", "EventSource");
        g.writeFieldName("scope");
        scope.write(g);
        g.writeStringField("topic", topic);
        g.writeFieldName("publisher_id");
        Json.writeUnsigned(g, publisherId);
        g.writeFieldName("metadata");
        g.writeTree(metadata);
        g.writeEndObject();
      });
    }
  }

  /**
   * The scope of an event record: {@code scope}, or in records written by Dynamo 1.2 (no {@code
   * scope}) its {@code namespace} and {@code component} fields, an empty component meaning the
   * namespace scope (Dynamo's {@code kube/fixtures/v1_2_dwm.json}; how its newest reader maps them
   * is UNCONFIRMED, this is the reading that keeps the fixture's subjects).
   */
  private static EventScope scopeOf(JsonNode n) {
    JsonNode scope = n.get("scope");
    if ((scope == null || scope.isNull()) && n.hasNonNull("namespace")) {
      String ns = Json.requireText(FORMAT, n, "namespace");
      String comp = Json.optionalText(FORMAT, n, "component");
      return comp == null || comp.isEmpty() ? new EventScope.Namespace(ns) : new EventScope.Component(ns, comp);
    }
    return EventScope.read(scope);
  }

  /** Reads any record; unknown keys are ignored, an unknown {@code type} is an error. */
  public static DiscoveryInstance fromJson(byte[] json) {
    JsonNode n = Json.parseObject(FORMAT, json);
    String type = Json.requireText(FORMAT, n, "type");
    return switch (type) {
      case "Endpoint" -> new Endpoint(Instance.read(n));
      case "Model" -> {
        JsonNode card = n.get("card_json");
        if (card == null || card.isNull()) {
          throw new WireFormatException(FORMAT, "missing field 'card_json'");
        }
        yield new Model(
            Json.requireText(FORMAT, n, "namespace"),
            Json.requireText(FORMAT, n, "component"),
            Json.requireText(FORMAT, n, "endpoint"),
            Json.requireU64(FORMAT, n, "instance_id"),
            card,
            Json.optionalText(FORMAT, n, "model_suffix"));
      }
      case "EventChannel" ->
          new EventChannel(
              scopeOf(n),
              Json.requireText(FORMAT, n, "topic"),
              Json.requireU64(FORMAT, n, "instance_id"),
              EventChannelTransport.read(n.get("transport")));
      case "EventSource" -> {
        JsonNode md = n.get("metadata");
        yield new EventSource(
            EventScope.read(n.get("scope")),
            Json.requireText(FORMAT, n, "topic"),
            Json.requireU64(FORMAT, n, "publisher_id"),
            md == null ? NullNode.getInstance() : md);
      }
      default -> throw new WireFormatException(FORMAT, "unknown record type '" + type + "'");
    };
  }
}
