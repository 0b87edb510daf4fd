package dev.dynamo4j.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary frame around an envelope on ZMQ: {@code [version u8 = 1][payload length u32 BE]
 * [payload]}. Bytes after the declared payload are ignored, as Dynamo does. Errors use Dynamo's
 * names: {@code IncompleteHeader(n)}, {@code UnsupportedVersion(v)} (checked before the length),
 * {@code IncompletePayload{expected, available}}.
 */
public final class EventFrame {
  private EventFrame() {}

  public static final String FORMAT = "EventFrame";
  public static final byte VERSION = 1;
  public static final int HEADER_SIZE = 5;

  public static byte[] encode(byte[] payload) {
    return ByteBuffer.allocate(HEADER_SIZE + payload.length)
        .order(ByteOrder.BIG_ENDIAN)
        .put(VERSION)
        .putInt(payload.length)
        .put(payload)
        .array();
  }

  /** The 5-byte header for a payload of the given length. */
  public static byte[] header(int payloadLength) {
    return ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN).put(VERSION).putInt(payloadLength).array();
  }

  /** Returns the payload of a frame from untrusted bytes. */
  public static byte[] decode(byte[] frame) {
    int len = payloadLength(frame);
    byte[] payload = new byte[len];
    System.arraycopy(frame, HEADER_SIZE, payload, 0, len);
    return payload;
  }

  /**
   * Checks a frame from untrusted bytes (header, version, declared length within the bytes) and
   * returns the payload's length; the payload starts at {@link #HEADER_SIZE}.
   */
  public static int payloadLength(byte[] frame) {
    if (frame.length < HEADER_SIZE) {
      throw new WireFormatException(
          FORMAT,
          "IncompleteHeader(" + frame.length + "): Incomplete frame header: expected 5 bytes, got " + frame.length + " bytes");
    }
    int version = frame[0] & 0xFF;
    if (version != VERSION) {
      throw new WireFormatException(FORMAT, "UnsupportedVersion(" + version + ")");
    }
    long len = Integer.toUnsignedLong(ByteBuffer.wrap(frame, 1, 4).order(ByteOrder.BIG_ENDIAN).getInt());
    long available = frame.length - HEADER_SIZE;
    if (available < len) {
      throw new WireFormatException(FORMAT, "IncompletePayload{expected: " + len + ", available: " + available + "}");
    }
    return (int) len;
  }
}
