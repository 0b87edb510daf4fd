package dev.dynamo4j.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;

/**
 * One frame of dynamo4j's multiplexed response connection (ours; Dynamo never shipped a TCP mux,
 * spec T1). The header is the 21 bytes of Dynamo's opt-in QUIC response plane: {@code kind u8 |
 * stream id 16 bytes (UUID, RFC 4122 byte order) | payload length u32 BE}, then the payload.
 *
 * <p>Kinds (see {@link Kind}): {@code OPEN} binds a stream to the connection (worker → caller,
 * empty payload); {@code HEADER} and {@code DATA} carry the header or the data of what would be a
 * header-only or data-only {@link TwoPartMessage} on a call-home socket (prologue, control
 * messages, items, the final marker); {@code END} closes the sender's side of one stream, as a
 * FIN would a call-home socket; {@code WINDOW} returns flow-control credits (payload: exactly 4
 * bytes u32 BE, at least 1); {@code RESET} aborts a stream (payload: optional UTF-8 reason);
 * {@code ACCEPT} is the caller's answer to a connection handshake (nil stream id; payload exactly
 * 4 bytes u32 BE, the caller's per-stream receive window, at least 1).
 *
 * <p>Decoding checks the kind, the payload length against the limit and the fixed payload sizes
 * before allocating, and throws only {@link WireFormatException}: a bad frame is a connection
 * error.
 *
 * @param kind what the frame is
 * @param stream the stream id; {@link #NIL} only for {@code ACCEPT}
 * @param payload the payload bytes, never null; not copied
 */
public record MuxFrame(Kind kind, UUID stream, byte[] payload) {
  public static final String FORMAT = "MuxFrame";
  public static final int HEADER_SIZE = 21;
  public static final UUID NIL = new UUID(0, 0);
  private static final byte[] EMPTY = new byte[0];

  /** Frame kinds with their wire values. */
  public enum Kind {
    OPEN(1),
    HEADER(2),
    DATA(3),
    END(4),
    WINDOW(5),
    RESET(6),
    ACCEPT(7);

    private final int wire;

    Kind(int wire) {
      this.wire = wire;
    }

    public int wire() {
      return wire;
    }

    private static final Kind[] BY_WIRE = new Kind[8];

    static {
      for (Kind k : values()) {
        BY_WIRE[k.wire] = k;
      }
    }

    static Kind fromWire(int b) {
      return b > 0 && b < BY_WIRE.length ? BY_WIRE[b] : null;
    }
  }

  public MuxFrame {
    payload = payload == null ? EMPTY : payload;
  }

  public static MuxFrame window(UUID stream, int credits) {
    return new MuxFrame(Kind.WINDOW, stream, ByteBuffer.allocate(4).putInt(credits).array());
  }

  /** The caller's answer to a {@link MuxHello}, announcing its per-stream receive window. */
  public static MuxFrame accept(int window) {
    return new MuxFrame(Kind.ACCEPT, NIL, ByteBuffer.allocate(4).putInt(window).array());
  }

  /** The credits of a {@code WINDOW} frame, or the window of an {@code ACCEPT}, as an unsigned value. */
  public long credits() {
    return Integer.toUnsignedLong(ByteBuffer.wrap(payload).getInt());
  }

  /** Writes the 21-byte header for a payload of {@code length} bytes into {@code out}. */
  public static void writeHeader(ByteBuffer out, Kind kind, UUID stream, int length) {
    out.put((byte) kind.wire)
        .putLong(stream.getMostSignificantBits())
        .putLong(stream.getLeastSignificantBits())
        .putInt(length);
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + payload.length).order(ByteOrder.BIG_ENDIAN);
    writeHeader(b, kind, stream, payload.length);
    return b.put(payload).array();
  }

  /**
   * Decodes one frame from the front of {@code buf} if it is complete, advancing the position;
   * returns {@code null} (position unchanged) when more bytes are needed.
   *
   * @throws WireFormatException unknown kind, payload over {@code maxPayload}, a fixed-size
   *     payload of the wrong size, or a nil id where a stream is required (and the reverse)
   */
  public static MuxFrame tryDecode(ByteBuffer buf, long maxPayload) {
    if (buf.remaining() < HEADER_SIZE) {
      return null;
    }
    int start = buf.position();
    ByteBuffer be = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
    int k = be.get(start) & 0xff;
    Kind kind = Kind.fromWire(k);
    if (kind == null) {
      throw new WireFormatException(FORMAT, "unknown frame kind " + k);
    }
    UUID stream = new UUID(be.getLong(start + 1), be.getLong(start + 9));
    long len = Integer.toUnsignedLong(be.getInt(start + 17));
    if (len > maxPayload) {
      throw new WireFormatException(FORMAT, "message too large: " + (len + HEADER_SIZE) + " bytes (max: " + (maxPayload + HEADER_SIZE) + " bytes)");
    }
    switch (kind) {
      case WINDOW, ACCEPT -> {
        if (len != 4) {
          throw new WireFormatException(FORMAT, kind + " payload must be 4 bytes, got " + len);
        }
      }
      case OPEN, END -> {
        if (len != 0) {
          throw new WireFormatException(FORMAT, kind + " payload must be empty, got " + len + " bytes");
        }
      }
      default -> {}
    }
    if ((kind == Kind.ACCEPT) != stream.equals(NIL)) {
      throw new WireFormatException(FORMAT, kind == Kind.ACCEPT ? "ACCEPT must carry the nil stream id" : kind + " must not carry the nil stream id");
    }
    if (buf.remaining() < HEADER_SIZE + len) {
      return null;
    }
    byte[] payload = len == 0 ? EMPTY : new byte[(int) len];
    buf.position(start + HEADER_SIZE);
    buf.get(payload);
    MuxFrame f = new MuxFrame(kind, stream, payload);
    if ((kind == Kind.WINDOW || kind == Kind.ACCEPT) && f.credits() == 0) {
      throw new WireFormatException(FORMAT, kind + " of 0 credits");
    }
    return f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MuxFrame m && m.kind == kind && m.stream.equals(stream) && Arrays.equals(m.payload, payload);
  }

  @Override
  public int hashCode() {
    return (kind.hashCode() * 31 + stream.hashCode()) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "MuxFrame[" + kind + " " + stream + " " + payload.length + " bytes]";
  }
}
