package dev.dynamo4j.discovery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.WireFormatException;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * How to reach an endpoint instance; externally tagged in JSON: {@code {"tcp":"host:port/<key>"}},
 * {@code {"nats_tcp":"<subject>"}}, legacy {@code {"http":"<url>"}}, and dynamo4j's {@code
 * {"in_process":"<server>/<key>"}}, which never leaves one JVM. A tag this version does not know
 * decodes as {@link Other} so one unusual record does not hide the rest.
 */
public sealed interface TransportType {
  /** The tag as written in JSON. */
  String tag();

  /** The address text. */
  String address();

  record Tcp(String address) implements TransportType {
    public String tag() {
      return "tcp";
    }
  }

  record NatsTcp(String address) implements TransportType {
    public String tag() {
      return "nats_tcp";
    }
  }

  record Http(String address) implements TransportType {
    public String tag() {
      return "http";
    }
  }

  /**
   * dynamo4j's ZMQ request plane ({@code DYN_REQUEST_PLANE=zmq}): the endpoint's ROUTER, {@code
   * {"zmq":"tcp://host:port"}}. Dynamo has no such variant: its discovery logs a record it cannot
   * parse and skips it (checked in its {@code discovery/kv_store.rs}), so a Dynamo caller just
   * does not see ZMQ workers.
   */
  record Zmq(String address) implements TransportType {
    public String tag() {
      return "zmq";
    }
  }

  record InProcess(String address) implements TransportType {
    public String tag() {
      return "in_process";
    }
  }

  record Other(String tag, String address) implements TransportType {}

  default void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField(tag(), address());
    g.writeEndObject();
  }

  static TransportType read(String format, JsonNode n) {
    if (n == null || !n.isObject() || n.size() != 1) {
      throw new WireFormatException(format, "transport must be an object with exactly one key");
    }
    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
    Map.Entry<String, JsonNode> e = it.next();
    if (!e.getValue().isTextual()) {
      throw new WireFormatException(format, "transport '" + e.getKey() + "' must be a string");
    }
    String a = e.getValue().textValue();
    return switch (e.getKey()) {
      case "tcp" -> new Tcp(a);
      case "nats_tcp" -> new NatsTcp(a);
      case "http" -> new Http(a);
      case "in_process" -> new InProcess(a);
      case "zmq" -> new Zmq(a);
      default -> new Other(e.getKey(), a);
    };
  }
}
