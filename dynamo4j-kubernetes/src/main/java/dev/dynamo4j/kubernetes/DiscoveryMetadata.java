package dev.dynamo4j.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one worker has registered, as Dynamo's {@code DiscoveryMetadata}: the {@code spec.data} of
 * its {@code DynamoWorkerMetadata}, {@code {"endpoints":{..},"model_cards":{..},"event_channels":{..},
 * "event_sources":{..}}}, each map keyed by the record id's path form ({@code
 * DiscoveryInstanceId.toPath()}, e.g. {@code dynamo/backend/generate/2a}) with the record's JSON
 * (type-tagged, as every other backend stores it) as value. Written with the four maps always
 * present and keys sorted; read leniently: a missing or {@code null} map is empty, records of
 * Dynamo 1.2 are accepted (see {@code DiscoveryInstance.fromJson}). Not thread-safe.
 */
final class DiscoveryMetadata {
  static final String FORMAT = "DiscoveryMetadata";
  private static final String[] MAPS = {"endpoints", "model_cards", "event_channels", "event_sources"};

  private final Map<String, TreeMap<String, DiscoveryInstance>> maps = new LinkedHashMap<>();

  DiscoveryMetadata() {
    for (String m : MAPS) {
      maps.put(m, new TreeMap<>());
    }
  }

  DiscoveryMetadata copy() {
    DiscoveryMetadata c = new DiscoveryMetadata();
    maps.forEach((k, v) -> c.maps.get(k).putAll(v));
    return c;
  }

  private static String mapOf(DiscoveryInstance i) {
    return switch (i) {
      case DiscoveryInstance.Endpoint e -> "endpoints";
      case DiscoveryInstance.Model m -> "model_cards";
      case DiscoveryInstance.EventChannel c -> "event_channels";
      case DiscoveryInstance.EventSource s -> "event_sources";
    };
  }

  /** Adds or replaces {@code i}; returns whether anything changed. */
  boolean put(DiscoveryInstance i) {
    DiscoveryInstance old = maps.get(mapOf(i)).put(i.id().toPath(), i);
    return old == null || !Arrays.equals(old.toJson(), i.toJson());
  }

  /** The record with {@code i}'s id, or null. */
  DiscoveryInstance get(DiscoveryInstance i) {
    return maps.get(mapOf(i)).get(i.id().toPath());
  }

  /** Removes the record with {@code i}'s id; returns whether it was there. */
  boolean remove(DiscoveryInstance i) {
    return maps.get(mapOf(i)).remove(i.id().toPath()) != null;
  }

  /** Every record, endpoints first. */
  List<DiscoveryInstance> all() {
    List<DiscoveryInstance> out = new ArrayList<>();
    maps.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  boolean isEmpty() {
    return maps.values().stream().allMatch(Map::isEmpty);
  }

  /** The {@code spec.data} object. */
  ObjectNode toJson() {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    maps.forEach((name, m) -> {
      ObjectNode o = data.putObject(name);
      m.forEach((path, i) -> o.set(path, Json.parseObject(FORMAT, i.toJson())));
    });
    return data;
  }

  /**
   * Reads a {@code spec.data} object.
   *
   * @throws WireFormatException when it is not an object or a record in it does not parse (the
   *     whole resource is then unusable, as in Dynamo)
   */
  static DiscoveryMetadata fromJson(JsonNode data) {
    if (data == null || !data.isObject()) {
      throw new WireFormatException(FORMAT, "spec.data must be an object");
    }
    DiscoveryMetadata md = new DiscoveryMetadata();
    for (String name : MAPS) {
      JsonNode m = data.get(name);
      if (m == null || m.isNull()) {
        continue;
      }
      if (!m.isObject()) {
        throw new WireFormatException(FORMAT, "'" + name + "' must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        DiscoveryInstance i = DiscoveryInstance.fromJson(e.getValue().toString().getBytes(StandardCharsets.UTF_8));
        md.maps.get(mapOf(i)).put(i.id().toPath(), i);
      }
    }
    return md;
  }
}
