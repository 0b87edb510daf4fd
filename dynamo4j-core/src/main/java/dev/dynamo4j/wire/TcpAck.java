package dev.dynamo4j.wire;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The reply to one request frame: {@code u32 BE} length then that many bytes. Empty means the
 * request was accepted into the worker's queue; a text starting with {@value #OVERLOADED_PREFIX}
 * or {@value #UNAVAILABLE_PREFIX} is a rejection. Any other text is, as in Dynamo, treated as an
 * acceptance (older servers sent informational texts).
 *
 * @param body the reply bytes; not copied
 */
public record TcpAck(byte[] body) {
  public static final String FORMAT = "TcpAck";
  public static final String OVERLOADED_PREFIX = "Server overloaded:";
  public static final String UNAVAILABLE_PREFIX = "Server unavailable:";

  public TcpAck {
    body = body == null ? new byte[0] : body;
  }

  public static final TcpAck OK = new TcpAck(new byte[0]);

  public static TcpAck ofText(String text) {
    return new TcpAck(text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code Server overloaded: worker at capacity} */
  public static TcpAck overloaded() {
    return ofText(OVERLOADED_PREFIX + " worker at capacity");
  }

  /** {@code Server unavailable: unknown endpoint <path>} */
  public static TcpAck unknownEndpoint(String path) {
    return ofText(UNAVAILABLE_PREFIX + " unknown endpoint " + path);
  }

  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public byte[] encode() {
    return encode(Long.MAX_VALUE);
  }

  /** Encodes; the whole frame (4 + body) must fit in {@code maxSize}. */
  public byte[] encode(long maxSize) {
    long total = 4L + body.length;
    if (total > maxSize) {
      throw new WireFormatException(FORMAT, "reply frame of " + total + " bytes exceeds the maximum " + maxSize);
    }
    return ByteBuffer.allocate((int) total).order(ByteOrder.BIG_ENDIAN).putInt(body.length).put(body).array();
  }

  public static TcpAck decode(byte[] bytes, long maxSize) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    TcpAck ack = tryDecode(buf, maxSize);
    if (ack == null) {
      throw new WireFormatException(FORMAT, "truncated reply frame of " + bytes.length + " bytes");
    }
    if (buf.hasRemaining()) {
      throw new WireFormatException(FORMAT, buf.remaining() + " trailing bytes after the reply frame");
    }
    return ack;
  }

  /** Decodes one reply from the front of {@code buf}, or {@code null} when more bytes are needed. */
  public static TcpAck tryDecode(ByteBuffer buf, long maxSize) {
    if (buf.remaining() < 4) {
      return null;
    }
    long len = Integer.toUnsignedLong(buf.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(buf.position()));
    if (len + 4 > maxSize) {
      throw new WireFormatException(FORMAT, "reply frame of " + (len + 4) + " bytes exceeds the maximum " + maxSize);
    }
    if (buf.remaining() < 4 + len) {
      return null;
    }
    byte[] body = new byte[(int) len];
    buf.position(buf.position() + 4);
    buf.get(body);
    return new TcpAck(body);
  }

  /** The rejection this reply stands for, or {@code null} when the request was accepted. */
  public DynamoException rejection() {
    if (body.length == 0) {
      return null;
    }
    String text = text();
    if (text.startsWith(OVERLOADED_PREFIX)) {
      return new DynamoException(ErrorType.WorkerOverloaded, text);
    }
    if (text.startsWith(UNAVAILABLE_PREFIX)) {
      return new DynamoException(ErrorType.WorkerUnavailable, text);
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TcpAck a && Arrays.equals(body, a.body);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "TcpAck[" + (body.length == 0 ? "ok" : text()) + "]";
  }
}
