package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The first frame a worker sends after dialing a caller's response server: a header-only
 * two-part message holding {@code {"subject":"<uuid>","stream_type":"response"|"request"}}.
 */
public record CallHomeHandshake(String subject, StreamType streamType) {
  static final String FORMAT = "CallHomeHandshake";

  public byte[] toJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("subject", subject);
          g.writeStringField("stream_type", streamType.wireName());
          g.writeEndObject();
        });
  }

  public TwoPartMessage toFrame() {
    return TwoPartMessage.headerOnly(toJson());
  }

  public static CallHomeHandshake fromJson(byte[] json) {
    JsonNode n = Json.parseObject(FORMAT, json);
    String st = Json.requireText(FORMAT, n, "stream_type");
    StreamType type = StreamType.fromWireName(st);
    if (type == null) {
      throw new WireFormatException(FORMAT, "unknown stream_type '" + st + "'");
    }
    return new CallHomeHandshake(Json.requireText(FORMAT, n, "subject"), type);
  }

  /** Decodes the handshake frame; it must be header-only. */
  public static CallHomeHandshake fromFrame(TwoPartMessage frame) {
    if (!frame.isHeaderOnly()) {
      throw new WireFormatException(FORMAT, "handshake must be a header-only frame");
    }
    return fromJson(frame.header());
  }
}
