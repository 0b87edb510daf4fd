package dev.dynamo4j.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Where a worker calls home: {@code {"transport": "...", "info": "<JSON text>"}}. {@code info} is
 * itself a JSON document carried as a string; its shape depends on the transport ({@link
 * TcpStreamConnectionInfo} for {@code tcp_server}).
 */
public record ConnectionInfo(String transport, String info) {
  static final String FORMAT = "ConnectionInfo";

  /** Dynamo's legacy per-stream call-home transport. */
  public static final String TCP_SERVER = "tcp_server";

  void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("transport", transport);
    g.writeStringField("info", info);
    g.writeEndObject();
  }

  static ConnectionInfo read(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new WireFormatException(FORMAT, "expected a JSON object");
    }
    return new ConnectionInfo(Json.requireText(FORMAT, n, "transport"), Json.requireText(FORMAT, n, "info"));
  }

  public byte[] toBytes() {
    return Json.write(this::write);
  }

  public static ConnectionInfo fromBytes(byte[] json) {
    return read(Json.parseObject(FORMAT, json));
  }
}
