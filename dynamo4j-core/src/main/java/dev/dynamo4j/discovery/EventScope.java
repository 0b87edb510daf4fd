package dev.dynamo4j.discovery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.SubjectEncoding;
import dev.dynamo4j.wire.WireFormatException;
import java.io.IOException;

/**
 * Who owns an event channel: a namespace, a component or an endpoint. Scopes are exact: a
 * namespace-scoped query does not match component- or endpoint-scoped channels. JSON is
 * internally tagged by {@code kind}.
 */
public sealed interface EventScope {
  /** {@code namespace.<enc>[.component.<enc>[.endpoint.<enc>]]}, each segment %XX-encoded. */
  String subjectPrefix();

  /** The same with {@code /}: the discovery path prefix. */
  String pathPrefix();

  /** {@code <subject prefix>.<enc(topic)>}: the NATS subject and the ZMQ broker topic. */
  default String subject(String topic) {
    return subjectPrefix() + "." + SubjectEncoding.encodeSegment(topic);
  }

  void write(JsonGenerator g) throws IOException;

  record Namespace(String name) implements EventScope {
    public String subjectPrefix() {
      return "namespace." + enc(name);
    }

    public String pathPrefix() {
      return "namespace/" + enc(name);
    }

    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("kind", "namespace");
      g.writeStringField("name", name);
      g.writeEndObject();
    }
  }

  record Component(String namespace, String component) implements EventScope {
    public String subjectPrefix() {
      return "namespace." + enc(namespace) + ".component." + enc(component);
    }

    public String pathPrefix() {
      return "namespace/" + enc(namespace) + "/component/" + enc(component);
    }

    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("kind", "component");
      g.writeStringField("namespace", namespace);
      g.writeStringField("component", component);
      g.writeEndObject();
    }
  }

  record Endpoint(String namespace, String component, String name) implements EventScope {
    public String subjectPrefix() {
      return "namespace." + enc(namespace) + ".component." + enc(component) + ".endpoint." + enc(name);
    }

    public String pathPrefix() {
      return "namespace/" + enc(namespace) + "/component/" + enc(component) + "/endpoint/" + enc(name);
    }

    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("kind", "endpoint");
      g.writeObjectFieldStart("endpoint");
      g.writeStringField("namespace", namespace);
      g.writeStringField("component", component);
      g.writeStringField("name", name);
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  private static String enc(String s) {
    return SubjectEncoding.encodeSegment(s);
  }

  static EventScope read(JsonNode n) {
    String f = "EventScope";
    if (n == null || !n.isObject()) {
      throw new WireFormatException(f, "expected an object");
    }
    String kind = Json.requireText(f, n, "kind");
    return switch (kind) {
      case "namespace" -> new Namespace(Json.requireText(f, n, "name"));
      case "component" -> new Component(Json.requireText(f, n, "namespace"), Json.requireText(f, n, "component"));
      case "endpoint" -> {
        JsonNode e = n.get("endpoint");
        if (e == null || !e.isObject()) {
          throw new WireFormatException(f, "missing field 'endpoint'");
        }
        yield new Endpoint(Json.requireText(f, e, "namespace"), Json.requireText(f, e, "component"), Json.requireText(f, e, "name"));
      }
      default -> throw new WireFormatException(f, "unknown scope kind '" + kind + "'");
    };
  }

  /** Parses a path prefix's segments starting at {@code i}; returns the scope and sets {@code next[0]}. */
  static EventScope parsePath(String[] parts, int[] next) {
    String f = "EventScopePath";
    if (parts.length < 2 || !parts[0].equals("namespace")) {
      throw new WireFormatException(f, "path does not start with namespace/<name>");
    }
    String ns = SubjectEncoding.decodeSegment(parts[1]);
    if (parts.length >= 4 && parts[2].equals("component")) {
      String comp = SubjectEncoding.decodeSegment(parts[3]);
      if (parts.length >= 6 && parts[4].equals("endpoint")) {
        next[0] = 6;
        return new Endpoint(ns, comp, SubjectEncoding.decodeSegment(parts[5]));
      }
      next[0] = 4;
      return new Component(ns, comp);
    }
    next[0] = 2;
    return new Namespace(ns);
  }
}
