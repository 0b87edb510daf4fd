package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request on the TCP request plane: {@code u16 BE} path length, path (UTF-8), {@code u16 BE}
 * headers length, headers (a JSON object of string to string), {@code u32 BE} payload length,
 * payload (a {@link TwoPartMessage}).
 *
 * <p>Encoding always writes headers, {@code {}} when empty. The server-side decoder follows
 * Dynamo's newest ({@code zero_copy_decoder.rs}, spec T3): the path may have any u16 length, 0 and
 * over 1024 included (an unknown path is then an unknown endpoint, answered on the connection,
 * which stays open); the <em>whole</em> frame must fit in the maximum message size, else {@code
 * message too large: <n> bytes (max: <m> bytes)} and the connection closes (it cannot be
 * resynchronised). Headers of length 0 or that are not a JSON object of strings are tolerated as
 * empty. A path that is not valid UTF-8 is reported with {@link #pathValid()} false so the server
 * can answer {@code Invalid endpoint path} and go on.
 *
 * @param path the routing key (the part of the worker's address after the first {@code /})
 * @param headers trace and routing headers; never {@code null}
 * @param payload the request envelope; not copied
 * @param pathValid false when the path bytes were not valid UTF-8 (decoding only)
 */
public record TcpRequestFrame(String path, Map<String, String> headers, byte[] payload, boolean pathValid) {
  public static final String FORMAT = "TcpRequestFrame";

  public TcpRequestFrame {
    headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    payload = payload == null ? new byte[0] : payload;
  }

  public TcpRequestFrame(String path, Map<String, String> headers, byte[] payload) {
    this(path, headers, payload, true);
  }

  /** Encodes with no overall size limit. */
  public byte[] encode() {
    return encode(Long.MAX_VALUE);
  }

  /** Encodes; the whole frame must fit in {@code maxMessageSize} bytes. */
  public byte[] encode(long maxMessageSize) {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    byte[] h = encodeHeaders(headers);
    if (p.length > 0xFFFF) {
      throw new WireFormatException(FORMAT, "endpoint path of " + p.length + " bytes exceeds 65535");
    }
    if (h.length > 0xFFFF) {
      throw new WireFormatException(FORMAT, "headers of " + h.length + " bytes exceed 65535");
    }
    long total = 2L + p.length + 2 + h.length + 4 + payload.length;
    if (total > maxMessageSize) {
      throw tooLarge(total, maxMessageSize);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.BIG_ENDIAN);
    buf.putShort((short) p.length).put(p).putShort((short) h.length).put(h).putInt(payload.length).put(payload);
    return buf.array();
  }

  private static WireFormatException tooLarge(long total, long max) {
    return new WireFormatException(FORMAT, "message too large: " + total + " bytes (max: " + max + " bytes)");
  }

  static byte[] encodeHeaders(Map<String, String> headers) {
    return Json.write(
        g -> {
          g.writeStartObject();
          for (Map.Entry<String, String> e : headers.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
        });
  }

  /** Decodes exactly one complete frame (no trailing bytes). */
  public static TcpRequestFrame decode(byte[] bytes, long maxMessageSize) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    TcpRequestFrame f = tryDecode(buf, maxMessageSize);
    if (f == null) {
      throw new WireFormatException(FORMAT, "truncated frame of " + bytes.length + " bytes");
    }
    if (buf.hasRemaining()) {
      throw new WireFormatException(FORMAT, buf.remaining() + " trailing bytes after the frame");
    }
    return f;
  }

  /**
   * Decodes one frame from the front of {@code buf} when complete (advancing past it), or returns
   * {@code null} with the position unchanged when more bytes are needed. Lengths are checked
   * before allocation.
   *
   * @throws WireFormatException when the whole frame (as soon as its length is known, before its
   *     payload arrives) is over {@code maxMessageSize}: Dynamo's {@code message too large: <n>
   *     bytes (max: <m> bytes)}; the connection cannot be resynchronised after it
   */
  public static TcpRequestFrame tryDecode(ByteBuffer buf, long maxMessageSize) {
    ByteBuffer b = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
    if (b.remaining() < 2) {
      return null;
    }
    int pl = Short.toUnsignedInt(b.getShort());
    if (b.remaining() < pl + 2) {
      return null;
    }
    int pathStart = b.position();
    b.position(pathStart + pl);
    int hl = Short.toUnsignedInt(b.getShort());
    if (b.remaining() < hl + 4) {
      return null;
    }
    int headerStart = b.position();
    b.position(headerStart + hl);
    long payloadLen = Integer.toUnsignedLong(b.getInt());
    long total = 2L + pl + 2 + hl + 4 + payloadLen;
    if (total > maxMessageSize) {
      throw tooLarge(total, maxMessageSize);
    }
    if (b.remaining() < payloadLen) {
      return null;
    }
    byte[] pathBytes = new byte[pl];
    b.get(pathStart, pathBytes);
    byte[] headerBytes = new byte[hl];
    b.get(headerStart, headerBytes);
    byte[] payload = new byte[(int) payloadLen];
    b.get(payload);
    buf.position(b.position());

    String path;
    boolean pathValid = true;
    try {
      path =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(pathBytes))
              .toString();
    } catch (CharacterCodingException e) {
      path = new String(pathBytes, StandardCharsets.UTF_8);
      pathValid = false;
    }
    return new TcpRequestFrame(path, decodeHeaders(headerBytes), payload, pathValid);
  }

  static Map<String, String> decodeHeaders(byte[] bytes) {
    if (bytes.length == 0) {
      return Map.of();
    }
    try {
      JsonNode node = Json.parse(FORMAT, bytes);
      if (!node.isObject()) {
        return Map.of();
      }
      Map<String, String> out = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> {
        if (e.getValue().isTextual()) {
          out.put(e.getKey(), e.getValue().textValue());
        }
      });
      return out;
    } catch (WireFormatException e) {
      return Map.of(); // Dynamo tolerates malformed headers
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TcpRequestFrame f
        && path.equals(f.path)
        && headers.equals(f.headers)
        && Arrays.equals(payload, f.payload)
        && pathValid == f.pathValid;
  }

  @Override
  public int hashCode() {
    return path.hashCode() * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "TcpRequestFrame[path=" + path + ", headers=" + headers + ", payload=" + payload.length + " bytes]";
  }
}
