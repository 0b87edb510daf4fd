package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.nio.charset.StandardCharsets;

/**
 * The {@code info} of a {@code tcp_server} connection: {@code {"address":"ip:port",
 * "subject":"<uuid>","context":"<request id>","stream_type":"response"|"request"}}.
 *
 * <p>A dynamo4j caller that accepts multiplexed responses adds {@code
 * "dynamo4j_mux":{"version":1,"frontend_id":"<uuid>"}} ({@link #muxFrontendId}); Dynamo's worker
 * ignores unknown fields here (spec T1) and calls home, a dynamo4j worker answers on a pooled
 * multiplexed connection instead. An offer of another version, or a malformed one, reads as no
 * offer.
 *
 * @param muxFrontendId the caller's response-server id when it offers the mux, else {@code null}
 */
public record TcpStreamConnectionInfo(String address, String subject, String context, StreamType streamType, String muxFrontendId) {
  static final String FORMAT = "TcpStreamConnectionInfo";
  /** The mux version this build speaks. */
  public static final int MUX_VERSION = 1;

  public TcpStreamConnectionInfo(String address, String subject, String context, StreamType streamType) {
    this(address, subject, context, streamType, null);
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
              if (muxFrontendId != null) {
                g.writeObjectFieldStart("dynamo4j_mux");
                g.writeNumberField("version", MUX_VERSION);
                g.writeStringField("frontend_id", muxFrontendId);
                g.writeEndObject();
              }
              g.writeEndObject();
            }),
        StandardCharsets.UTF_8);
  }

  /** Wraps this as the {@link ConnectionInfo} of transport {@code tcp_server}. */
  public ConnectionInfo toConnectionInfo() {
    return new ConnectionInfo(ConnectionInfo.TCP_SERVER, toJson());
  }

  /**
   * The stream info in {@code info}, checked to be for request {@code requestId}: what a worker
   * reads before it dials a caller's stream. {@code InvalidArgument} when the info is malformed or
   * names another request; the transport name is the caller's to check.
   */
  public static TcpStreamConnectionInfo forRequest(ConnectionInfo info, String requestId) {
    TcpStreamConnectionInfo ti;
    try {
      ti = fromJson(info.info());
    } catch (WireFormatException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "malformed connection info: " + e.getMessage(), e);
    }
    if (!ti.context().equals(requestId)) {
      throw new DynamoException(ErrorType.InvalidArgument, "connection info is for request " + ti.context() + ", not " + requestId);
    }
    return ti;
  }

  public static TcpStreamConnectionInfo fromJson(String json) {
    JsonNode n = Json.parseObject(FORMAT, json.getBytes(StandardCharsets.UTF_8));
    String st = Json.requireText(FORMAT, n, "stream_type");
    StreamType type = StreamType.fromWireName(st);
    if (type == null) {
      throw new WireFormatException(FORMAT, "unknown stream_type '" + st + "'");
    }
    String mux = null;
    JsonNode offer = n.get("dynamo4j_mux");
    if (offer != null && offer.isObject() && offer.path("version").asInt(-1) == MUX_VERSION && offer.path("frontend_id").isTextual()) {
      mux = offer.get("frontend_id").asText();
    }
    return new TcpStreamConnectionInfo(
        Json.requireText(FORMAT, n, "address"),
        Json.requireText(FORMAT, n, "subject"),
        Json.requireText(FORMAT, n, "context"),
        type,
        mux);
  }
}
