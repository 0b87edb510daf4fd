package dev.dynamo4j.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.network.IngressMetrics;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the status page shows, as JSON ({@code GET /status.json}; {@code dynamo4j status} prints
 * the same): this process (instance id, uptime, health), the endpoints it serves with their
 * counters, every endpoint instance discovery knows, and its event-plane publishers and
 * subscribers with their counts. Counters are totals; a reader computes rates from two reports.
 * Built on the caller's thread; listing discovery is one read of the instance records (a
 * failure there is reported in {@code discovery_error}, the rest still answers).
 */
final class StatusReport {
  private StatusReport() {}

  public static byte[] json(DistributedRuntime rt) {
    return Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("instance_id", Long.toHexString(rt.instanceId()));
      g.writeNumberField("time_ms", System.currentTimeMillis());
      g.writeNumberField("uptime_seconds", rt.metrics().uptimeSeconds());
      g.writeStringField("status", rt.health().isReady() ? "ready" : "notready");
      Map<String, Boolean> health = rt.health().endpoints();
      g.writeArrayFieldStart("served");
      for (ServedEndpoint s : rt.servedEndpoints()) {
        Instance i = s.instance();
        IngressMetrics m = s.metrics();
        long errors = 0;
        for (String t : IngressMetrics.ERROR_TYPES) {
          errors += m.errors(t);
        }
        g.writeStartObject();
        g.writeStringField("path", i.namespace() + "/" + i.component() + "/" + i.endpoint());
        Boolean ready = health.get(i.endpoint());
        g.writeStringField("health", ready == null ? "unknown" : ready ? "ready" : "notready");
        g.writeStringField("transport", i.transport().tag() + " " + i.transport().address());
        g.writeNumberField("requests", m.requests());
        g.writeNumberField("inflight", m.inflight());
        g.writeNumberField("errors", errors);
        g.writeNumberField("rejected", m.rejected());
        g.writeNumberField("request_bytes", m.requestBytes());
        g.writeNumberField("response_bytes", m.responseBytes());
        g.writeEndObject();
      }
      g.writeEndArray();
      writeDiscovery(g, rt);
      g.writeArrayFieldStart("subscribers");
      for (EventSubscriber s : rt.subscribers()) {
        EventSubscriber.Stats st = s.stats();
        g.writeStartObject();
        g.writeStringField("scope", scope(s.scope()));
        g.writeStringField("topic", s.topic());
        g.writeNumberField("received", st.received());
        g.writeNumberField("gaps", st.gaps());
        g.writeNumberField("duplicates", st.duplicates());
        g.writeNumberField("publishers", st.publishers());
        g.writeNumberField("malformed", s.malformed());
        g.writeNumberField("sequence_jumps", st.jumps());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("publishers");
      for (EventPublisher p : rt.publishers()) {
        g.writeStartObject();
        g.writeStringField("scope", scope(p.scope()));
        g.writeStringField("topic", p.topic());
        g.writeStringField("publisher_id", Long.toHexString(p.publisherId()));
        g.writeNumberField("sent", p.sent());
        g.writeNumberField("dropped", p.dropped());
        g.writeNumberField("failed", p.failed());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private static void writeDiscovery(JsonGenerator g, DistributedRuntime rt) throws IOException {
    List<DiscoveryInstance> all;
    try {
      all = rt.discovery().list(new DiscoveryQuery.AllEndpoints());
    } catch (RuntimeException e) {
      g.writeStringField("discovery_error", e.getMessage());
      g.writeArrayFieldStart("discovered");
      g.writeEndArray();
      return;
    }
    Map<String, List<Instance>> byPath = new TreeMap<>();
    for (DiscoveryInstance d : all) {
      if (d instanceof DiscoveryInstance.Endpoint e) {
        Instance i = e.instance();
        byPath.computeIfAbsent(i.namespace() + "/" + i.component() + "/" + i.endpoint(), k -> new ArrayList<>()).add(i);
      }
    }
    g.writeArrayFieldStart("discovered");
    for (Map.Entry<String, List<Instance>> e : byPath.entrySet()) {
      g.writeStartObject();
      g.writeStringField("path", e.getKey());
      g.writeArrayFieldStart("instances");
      for (Instance i : e.getValue()) {
        g.writeStartObject();
        g.writeStringField("id", Long.toHexString(i.instanceId()));
        g.writeStringField("transport", i.transport().tag() + " " + i.transport().address());
        g.writeBooleanField("self", i.instanceId() == rt.instanceId());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static String scope(EventScope s) {
    return switch (s) {
      case EventScope.Namespace n -> n.name();
      case EventScope.Component c -> c.namespace() + "/" + c.component();
      case EventScope.Endpoint e -> e.namespace() + "/" + e.component() + "/" + e.name();
    };
  }
}
