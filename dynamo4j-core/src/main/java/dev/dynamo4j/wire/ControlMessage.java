package dev.dynamo4j.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Control frames of a response stream, each a header-only two-part message holding a JSON
 * string: {@code "stop"} and {@code "kill"} flow from caller to worker, {@code "sentinel"} from
 * the producing side before a clean close.
 */
public enum ControlMessage {
  STOP("stop"),
  KILL("kill"),
  SENTINEL("sentinel");

  public static final String FORMAT = "ControlMessage";

  private final String wire;
  private final byte[] json;

  ControlMessage(String wire) {
    this.wire = wire;
    this.json = ("\"" + wire + "\"").getBytes(StandardCharsets.US_ASCII);
  }

  public String wireName() {
    return wire;
  }

  /** The JSON string, e.g. {@code "stop"} with its quotes. */
  public byte[] toJson() {
    return json.clone();
  }

  public TwoPartMessage toFrame() {
    return TwoPartMessage.headerOnly(toJson());
  }

  /** Decodes a control string; anything else is a {@link WireFormatException}. */
  public static ControlMessage fromJson(byte[] header) {
    for (ControlMessage c : values()) {
      if (Arrays.equals(c.json, header)) {
        return c; // the exact bytes every peer writes; anything else takes the lenient path
      }
    }
    var n = Json.parse(FORMAT, header);
    if (!n.isTextual()) {
      throw new WireFormatException(FORMAT, "expected a JSON string, got " + n.getNodeType());
    }
    for (ControlMessage c : values()) {
      if (c.wire.equals(n.textValue())) {
        return c;
      }
    }
    throw new WireFormatException(FORMAT, "unknown control message '" + n.textValue() + "'");
  }
}
