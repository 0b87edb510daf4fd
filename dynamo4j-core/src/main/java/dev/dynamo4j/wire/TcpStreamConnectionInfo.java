package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * The {@code info} of a {@code tcp_server} connection: {@code {"address":"ip:port",
 * "subject":"<uuid>","context":"<request id>","stream_type":"response"|"request"}}.
 */
public record TcpStreamConnectionInfo(String address, String subject, String context, StreamType streamType) {
  static final String FORMAT = "TcpStreamConnectionInfo";

  /** Which way a call-home stream carries data. */
  public enum StreamType {
    RESPONSE("response"),
    REQUEST("request");

    private final String wire;

    StreamType(String wire) {
      this.wire = wire;
    }

    public String wireName() {
      return wire;
    }

    public static StreamType fromWireName(String s) {
      for (StreamType t : values()) {
        if (t.wire.equals(s)) {
          return t;
        }
      }
      return null;
    }
  }

  public String toJson() {
    return new String(
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("address", address);
              g.writeStringField("subject", subject);
              g.writeStringField("context", context);
              g.writeStringField("stream_type", streamType.wireName());
              g.writeEndObject();
            }),
        StandardCharsets.UTF_8);
  }

  /** Wraps this as the {@link ConnectionInfo} of transport {@code tcp_server}. */
  public ConnectionInfo toConnectionInfo() {
    return new ConnectionInfo(ConnectionInfo.TCP_SERVER, toJson());
  }

  public static TcpStreamConnectionInfo fromJson(String json) {
    JsonNode n = Json.parseObject(FORMAT, json.getBytes(StandardCharsets.UTF_8));
    String st = Json.requireText(FORMAT, n, "stream_type");
    StreamType type = StreamType.fromWireName(st);
    if (type == null) {
      throw new WireFormatException(FORMAT, "unknown stream_type '" + st + "'");
    }
    return new TcpStreamConnectionInfo(
        Json.requireText(FORMAT, n, "address"),
        Json.requireText(FORMAT, n, "subject"),
        Json.requireText(FORMAT, n, "context"),
        type);
  }
}
