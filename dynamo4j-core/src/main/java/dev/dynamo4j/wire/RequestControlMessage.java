package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header of a request envelope: which request this is, how it is encoded and where the
 * worker calls home. JSON, keys in this order: {@code id, request_type, response_type,
 * payload_codec, connection_info}, then {@code metadata} (omitted when empty), {@code
 * frontend_send_ts_ns} (omitted when {@code null}) and {@code request_stream_connection_info}
 * (omitted unless bidirectional). At most {@value #MAX_BYTES} bytes serialised.
 *
 * <p>Decoding is lenient: any key order, unknown keys ignored, {@code payload_codec} defaults to
 * {@code json} when absent (older frontends), {@code metadata} to empty.
 */
public record RequestControlMessage(
    String id,
    RequestType requestType,
    ResponseType responseType,
    PayloadCodec payloadCodec,
    ConnectionInfo connectionInfo,
    Map<String, String> metadata,
    Long frontendSendTsNs,
    ConnectionInfo requestStreamConnectionInfo) {

  public static final String FORMAT = "RequestControlMessage";
  public static final int MAX_BYTES = 128 * 1024;

  public RequestControlMessage {
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public enum RequestType {
    SINGLE_IN("single_in"),
    MANY_IN("many_in");
    private final String wire;

    RequestType(String wire) {
      this.wire = wire;
    }

    public String wireName() {
      return wire;
    }
  }

  public enum ResponseType {
    SINGLE_OUT("single_out"),
    MANY_OUT("many_out");
    private final String wire;

    ResponseType(String wire) {
      this.wire = wire;
    }

    public String wireName() {
      return wire;
    }
  }

  public byte[] toJson() {
    byte[] out =
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("id", id);
              g.writeStringField("request_type", requestType.wireName());
              g.writeStringField("response_type", responseType.wireName());
              g.writeStringField("payload_codec", payloadCodec.wireName());
              g.writeFieldName("connection_info");
              connectionInfo.write(g);
              if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("metadata");
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                  g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
              }
              if (frontendSendTsNs != null) {
                g.writeFieldName("frontend_send_ts_ns");
                Json.writeUnsigned(g, frontendSendTsNs);
              }
              if (requestStreamConnectionInfo != null) {
                g.writeFieldName("request_stream_connection_info");
                requestStreamConnectionInfo.write(g);
              }
              g.writeEndObject();
            });
    if (out.length > MAX_BYTES) {
      throw new WireFormatException(FORMAT, "request control message too large (" + out.length + " bytes, max " + MAX_BYTES + ")");
    }
    return out;
  }

  public static RequestControlMessage fromJson(byte[] json) {
    JsonNode n = Json.parseObject(FORMAT, json);
    String id = Json.requireText(FORMAT, n, "id");
    String rq = Json.requireText(FORMAT, n, "request_type");
    RequestType requestType =
        switch (rq) {
          case "single_in" -> RequestType.SINGLE_IN;
          case "many_in" -> RequestType.MANY_IN;
          default -> throw new WireFormatException(FORMAT, "unknown request_type '" + rq + "'");
        };
    String rs = Json.requireText(FORMAT, n, "response_type");
    ResponseType responseType =
        switch (rs) {
          case "single_out" -> ResponseType.SINGLE_OUT;
          case "many_out" -> ResponseType.MANY_OUT;
          default -> throw new WireFormatException(FORMAT, "unknown response_type '" + rs + "'");
        };
    String codecName = Json.optionalText(FORMAT, n, "payload_codec");
    PayloadCodec codec = codecName == null ? PayloadCodec.JSON : PayloadCodec.fromWireName(codecName);
    if (codec == null) {
      throw new WireFormatException(FORMAT, "unknown payload_codec '" + codecName + "'");
    }
    ConnectionInfo ci = ConnectionInfo.read(n.get("connection_info"));
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode md = n.get("metadata");
    if (md != null && !md.isNull()) {
      if (!md.isObject()) {
        throw new WireFormatException(FORMAT, "field 'metadata' must be an object");
      }
      md.fields().forEachRemaining(e -> {
        if (!e.getValue().isTextual()) {
          throw new WireFormatException(FORMAT, "metadata value '" + e.getKey() + "' must be a string");
        }
        metadata.put(e.getKey(), e.getValue().textValue());
      });
    }
    JsonNode ts = n.get("frontend_send_ts_ns");
    Long sendTs = ts == null || ts.isNull() ? null : Json.u64(FORMAT, "frontend_send_ts_ns", ts);
    JsonNode rsci = n.get("request_stream_connection_info");
    ConnectionInfo requestStream = rsci == null || rsci.isNull() ? null : ConnectionInfo.read(rsci);
    return new RequestControlMessage(id, requestType, responseType, codec, ci, metadata, sendTs, requestStream);
  }
}
