package dev.dynamo4j.wire;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Dynamo's two-part message: a 24-byte big-endian prefix (header length u64, body length u64,
 * checksum u64), then the header bytes, then the body bytes.
 *
 * <p>The checksum is written as 0, as Rust release builds do, and ignored on read (Rust verifies
 * it only in debug builds and only when non-zero). An empty part is "absent": a message is
 * header-only, data-only, both or empty. The arrays are not copied; callers must not mutate them
 * after handing them over.
 *
 * @param header the header bytes, never {@code null} (empty when absent)
 * @param data the body bytes, never {@code null} (empty when absent)
 */
public record TwoPartMessage(byte[] header, byte[] data) {
  public static final String FORMAT = "TwoPart";
  public static final int PREFIX_SIZE = 24;

  public TwoPartMessage {
    header = header == null ? new byte[0] : header;
    data = data == null ? new byte[0] : data;
  }

  public static TwoPartMessage headerOnly(byte[] header) {
    return new TwoPartMessage(header, null);
  }

  public static TwoPartMessage dataOnly(byte[] data) {
    return new TwoPartMessage(null, data);
  }

  public boolean hasHeader() {
    return header.length > 0;
  }

  public boolean hasData() {
    return data.length > 0;
  }

  public boolean isHeaderOnly() {
    return hasHeader() && !hasData();
  }

  public boolean isDataOnly() {
    return hasData() && !hasHeader();
  }

  /** Total encoded size: prefix plus both parts. */
  public long encodedSize() {
    return PREFIX_SIZE + (long) header.length + data.length;
  }

  /** Encodes with no size limit. */
  public byte[] encode() {
    return encode(Long.MAX_VALUE);
  }

  /**
   * Encodes, failing with {@code MessageTooLarge(total, max)} when the encoded size exceeds
   * {@code maxSize}.
   */
  public byte[] encode(long maxSize) {
    long total = encodedSize();
    if (total > maxSize) {
      throw tooLarge(total, maxSize);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new WireFormatException(FORMAT, "message of " + total + " bytes cannot be held in one array");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.BIG_ENDIAN);
    buf.putLong(header.length).putLong(data.length).putLong(0L).put(header).put(data);
    return buf.array();
  }

  /** Decodes exactly one complete message with no size limit. */
  public static TwoPartMessage decode(byte[] bytes) {
    return decode(bytes, Long.MAX_VALUE);
  }

  /** Decodes exactly one complete message; trailing or missing bytes are errors. */
  public static TwoPartMessage decode(byte[] bytes, long maxSize) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    TwoPartMessage m = tryDecode(buf, maxSize);
    if (m == null) {
      throw new WireFormatException(
          FORMAT, "truncated message: " + bytes.length + " bytes" + expectedSuffix(bytes));
    }
    if (buf.hasRemaining()) {
      throw new WireFormatException(FORMAT, buf.remaining() + " trailing bytes after the message");
    }
    return m;
  }

  private static String expectedSuffix(byte[] bytes) {
    if (bytes.length < PREFIX_SIZE) {
      return ", shorter than the " + PREFIX_SIZE + "-byte prefix";
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long total = PREFIX_SIZE + b.getLong(0) + b.getLong(8);
    return ", prefix declares " + total;
  }

  /**
   * Decodes one message from the front of {@code buf} if it is complete, advancing the position
   * past it; returns {@code null} (position unchanged) when more bytes are needed. The lengths
   * are validated before anything is allocated, so a hostile prefix costs nothing.
   *
   * @throws WireFormatException when the declared size exceeds {@code maxSize} or does not fit
   *     in 64 bits ({@code MessageTooLarge(<declared>, <max>)}, before any payload arrives), or
   *     cannot be held in one array
   */
  public static TwoPartMessage tryDecode(ByteBuffer buf, long maxSize) {
    if (buf.remaining() < PREFIX_SIZE) {
      return null;
    }
    int start = buf.position();
    ByteBuffer be = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
    long hl = be.getLong(start);
    long bl = be.getLong(start + 8);
    if (hl < 0 || bl < 0 || hl + bl < 0 || hl + bl > Long.MAX_VALUE - PREFIX_SIZE) {
      // Spec T7: a sum that does not fit is too large, with the declared size and the limit.
      BigInteger declared = BigInteger.valueOf(PREFIX_SIZE)
          .add(new BigInteger(Long.toUnsignedString(hl)))
          .add(new BigInteger(Long.toUnsignedString(bl)));
      throw new WireFormatException(FORMAT, "MessageTooLarge(" + declared + ", " + maxSize + ")");
    }
    long total = PREFIX_SIZE + hl + bl;
    if (total > maxSize) {
      throw tooLarge(total, maxSize);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new WireFormatException(FORMAT, "message of " + total + " bytes cannot be held in one array");
    }
    if (buf.remaining() < total) {
      return null;
    }
    byte[] header = new byte[(int) hl];
    byte[] data = new byte[(int) bl];
    buf.position(start + PREFIX_SIZE);
    buf.get(header).get(data);
    return new TwoPartMessage(header, data);
  }

  static WireFormatException tooLarge(long total, long max) {
    return new WireFormatException(FORMAT, "MessageTooLarge(" + total + ", " + max + ")");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TwoPartMessage m
        && Arrays.equals(header, m.header)
        && Arrays.equals(data, m.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(header) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "TwoPartMessage[header=" + header.length + " bytes, data=" + data.length + " bytes]";
  }
}
