package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The first frame a worker sends on a multiplexed response connection, in place of a call-home
 * handshake: a header-only {@link TwoPartMessage} holding {@code
 * {"kind":"dynamo4j_mux","version":1,"frontend_id":"<uuid>","window":<u32>}}, {@code window}
 * being the worker's per-stream receive window in bytes. The caller answers with a {@link
 * MuxFrame.Kind#ACCEPT} frame carrying its own window, after which both directions speak {@link
 * MuxFrame}s.
 *
 * <p>The caller tells the two handshakes apart by the {@code kind} key, which a call-home
 * handshake does not have.
 */
public record MuxHello(int version, String frontendId, long window) {
  static final String FORMAT = "MuxHello";
  public static final String KIND = "dynamo4j_mux";

  public byte[] toJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("kind", KIND);
          g.writeNumberField("version", version);
          g.writeStringField("frontend_id", frontendId);
          g.writeNumberField("window", window);
          g.writeEndObject();
        });
  }

  public TwoPartMessage toFrame() {
    return TwoPartMessage.headerOnly(toJson());
  }

  /** True when {@code header} is a mux hello rather than a call-home handshake. */
  public static boolean isHello(JsonNode header) {
    JsonNode k = header.get("kind");
    return k != null && KIND.equals(k.asText());
  }

  public static MuxHello fromJson(JsonNode n) {
    JsonNode v = n.get("version");
    if (v == null || !v.canConvertToInt()) {
      throw new WireFormatException(FORMAT, "missing or invalid 'version'");
    }
    JsonNode w = n.get("window");
    if (w == null || !w.canConvertToLong() || w.longValue() < 1 || w.longValue() > 0xFFFF_FFFFL) {
      throw new WireFormatException(FORMAT, "missing or invalid 'window' (1..2^32-1)");
    }
    return new MuxHello(v.intValue(), Json.requireText(FORMAT, n, "frontend_id"), w.longValue());
  }
}
