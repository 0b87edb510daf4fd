package dev.dynamo4j.wire;

/**
 * Which way a response-plane stream carries data: {@code response} (worker to caller) or {@code
 * request} (a bidirectional call's inputs, caller to worker). The wire names are Dynamo's {@code
 * stream_type} values; every response plane uses the same two, so this type is neutral (it was
 * nested in the TCP plane's connection info before).
 */
public enum StreamType {
  RESPONSE("response"),
  REQUEST("request");

  private final String wire;

  StreamType(String wire) {
    this.wire = wire;
  }

  /** {@code response} or {@code request}. */
  public String wireName() {
    return wire;
  }

  /** The type named {@code s}, or {@code null} for any other text (callers reject it). */
  public static StreamType fromWireName(String s) {
    for (StreamType t : values()) {
      if (t.wire.equals(s)) {
        return t;
      }
    }
    return null;
  }
}
