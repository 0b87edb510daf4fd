package dev.dynamo4j.spi.discovery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.WireFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How an event channel is reached: the {@code transport} of a {@link DiscoveryInstance.EventChannel}
 * record (Dynamo's {@code EventTransport} in its discovery; named apart here from the event
 * plane's SPI, {@link dev.dynamo4j.spi.events.EventTransport}). JSON is adjacently tagged, {@code {"kind": <Variant>,
 * "config": {...}}}, with the variant names exactly {@code Nats}, {@code Zmq}, {@code ZmqBroker}.
 */
public sealed interface EventChannelTransport {
  void write(JsonGenerator g) throws IOException;

  record Nats(String subjectPrefix) implements EventChannelTransport {
    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("kind", "Nats");
      g.writeObjectFieldStart("config");
      g.writeStringField("subject_prefix", subjectPrefix);
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  record Zmq(String endpoint) implements EventChannelTransport {
    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("kind", "Zmq");
      g.writeObjectFieldStart("config");
      g.writeStringField("endpoint", endpoint);
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  record ZmqBroker(List<String> xsubEndpoints, List<String> xpubEndpoints) implements EventChannelTransport {
    public ZmqBroker {
      xsubEndpoints = List.copyOf(xsubEndpoints);
      xpubEndpoints = List.copyOf(xpubEndpoints);
    }

    public void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("kind", "ZmqBroker");
      g.writeObjectFieldStart("config");
      g.writeArrayFieldStart("xsub_endpoints");
      for (String s : xsubEndpoints) {
        g.writeString(s);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("xpub_endpoints");
      for (String s : xpubEndpoints) {
        g.writeString(s);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  static EventChannelTransport read(JsonNode n) {
    String f = "EventChannelTransport";
    if (n == null || !n.isObject()) {
      throw new WireFormatException(f, "expected an object");
    }
    String kind = Json.requireText(f, n, "kind");
    JsonNode c = n.get("config");
    if (c == null || !c.isObject()) {
      throw new WireFormatException(f, "missing field 'config'");
    }
    return switch (kind) {
      case "Nats" -> new Nats(Json.requireText(f, c, "subject_prefix"));
      case "Zmq" -> new Zmq(Json.requireText(f, c, "endpoint"));
      case "ZmqBroker" -> new ZmqBroker(strings(f, c, "xsub_endpoints"), strings(f, c, "xpub_endpoints"));
      default -> throw new WireFormatException(f, "unknown transport kind '" + kind + "'");
    };
  }

  private static List<String> strings(String f, JsonNode c, String field) {
    JsonNode a = c.get(field);
    if (a == null || !a.isArray()) {
      throw new WireFormatException(f, "field '" + field + "' must be an array");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode s : a) {
      if (!s.isTextual()) {
        throw new WireFormatException(f, "field '" + field + "' must hold strings");
      }
      out.add(s.textValue());
    }
    return out;
  }
}
