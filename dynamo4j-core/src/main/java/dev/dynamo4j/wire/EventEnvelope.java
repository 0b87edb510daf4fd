package dev.dynamo4j.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The envelope every event travels in: a MessagePack named map with the keys {@code
 * publisher_id, sequence, published_at, topic, payload} in that order, integers in their
 * smallest form, {@code payload} as {@code bin}.
 *
 * <p>Decoding matches keys by name in any order, ignores unknown keys (such as the branch-only
 * {@code published_at_ns}), and accepts {@code payload} as {@code bin} (or, leniently, {@code
 * str}). It also accepts the compact array form {@code [publisher_id, sequence, published_at,
 * topic, payload]} ({@code rmp_serde::to_vec}; Dynamo's decoder accepts it, spec T6); encoding
 * always writes the named map. Integers are unsigned 64-bit values held in {@code long}s.
 *
 * @param publisherId random per publisher incarnation, at most 2^53-1
 * @param sequence per publisher, from 0
 * @param publishedAt Unix time in milliseconds
 * @param topic the unencoded topic name
 * @param payload the event bytes; not copied
 */
public record EventEnvelope(long publisherId, long sequence, long publishedAt, String topic, byte[] payload) {
  public static final String FORMAT = "EventEnvelope";

  /** The largest publisher id that survives a float64 JSON round trip: 2^53 - 1. */
  public static final long MAX_JSON_SAFE_ID = (1L << 53) - 1;

  public EventEnvelope {
    if (topic == null) {
      throw new IllegalArgumentException("topic must not be null");
    }
    payload = payload == null ? new byte[0] : payload;
  }

  /** Masks a random 64-bit value to a JSON-safe publisher id. */
  public static long maskPublisherId(long random) {
    return random & MAX_JSON_SAFE_ID;
  }

  /** The envelope's MessagePack bytes (written by hand, byte for byte what msgpack-java writes). */
  public byte[] encode() {
    return write(0);
  }

  /**
   * The envelope inside its ZMQ event frame ({@link EventFrame}: {@code 01}, u32 BE length, the
   * envelope) in one array: the same bytes as {@code EventFrame.encode(encode())}, one copy fewer.
   */
  public byte[] encodeFramed() {
    return write(EventFrame.HEADER_SIZE);
  }

  private static final byte[] K_PUBLISHER_ID = key("publisher_id");
  private static final byte[] K_SEQUENCE = key("sequence");
  private static final byte[] K_PUBLISHED_AT = key("published_at");
  private static final byte[] K_TOPIC = key("topic");
  private static final byte[] K_PAYLOAD = key("payload");

  private static byte[] key(String k) {
    byte[] b = k.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[b.length + 1];
    out[0] = (byte) (0xa0 | b.length); // fixstr: every key is shorter than 32 bytes
    System.arraycopy(b, 0, out, 1, b.length);
    return out;
  }

  private byte[] write(int headroom) {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    int size = 1 + K_PUBLISHER_ID.length + u64Size(publisherId) + K_SEQUENCE.length + u64Size(sequence)
        + K_PUBLISHED_AT.length + u64Size(publishedAt) + K_TOPIC.length + strHeaderSize(t.length) + t.length
        + K_PAYLOAD.length + binHeaderSize(payload.length) + payload.length;
    byte[] out = new byte[headroom + size];
    if (headroom > 0) {
      out[0] = EventFrame.VERSION;
      putInt(out, 1, size);
    }
    int i = headroom;
    out[i++] = (byte) 0x85; // fixmap of 5
    i = put(out, i, K_PUBLISHER_ID);
    i = putU64(out, i, publisherId);
    i = put(out, i, K_SEQUENCE);
    i = putU64(out, i, sequence);
    i = put(out, i, K_PUBLISHED_AT);
    i = putU64(out, i, publishedAt);
    i = put(out, i, K_TOPIC);
    i = putHeader(out, i, t.length, 0xa0, 32, 0xd9, 0xda, 0xdb);
    i = put(out, i, t);
    i = put(out, i, K_PAYLOAD);
    i = putHeader(out, i, payload.length, -1, 0, 0xc4, 0xc5, 0xc6);
    put(out, i, payload);
    return out;
  }

  /** Size of an unsigned 64-bit integer in its smallest MessagePack form. */
  private static int u64Size(long v) {
    if (v < 0) {
      return 9; // above 2^63: uint64
    } else if (v < 128) {
      return 1;
    } else if (v < 256) {
      return 2;
    } else if (v < 65536) {
      return 3;
    } else if (v < (1L << 32)) {
      return 5;
    }
    return 9;
  }

  private static int putU64(byte[] out, int i, long v) {
    if (v >= 0 && v < 128) {
      out[i] = (byte) v;
      return i + 1;
    } else if (v >= 0 && v < 256) {
      out[i] = (byte) 0xcc;
      out[i + 1] = (byte) v;
      return i + 2;
    } else if (v >= 0 && v < 65536) {
      out[i] = (byte) 0xcd;
      out[i + 1] = (byte) (v >>> 8);
      out[i + 2] = (byte) v;
      return i + 3;
    } else if (v >= 0 && v < (1L << 32)) {
      out[i] = (byte) 0xce;
      putInt(out, i + 1, (int) v);
      return i + 5;
    }
    out[i] = (byte) 0xcf;
    putInt(out, i + 1, (int) (v >>> 32));
    putInt(out, i + 5, (int) v);
    return i + 9;
  }

  private static int strHeaderSize(int len) {
    return len < 32 ? 1 : len < 256 ? 2 : len < 65536 ? 3 : 5;
  }

  private static int binHeaderSize(int len) {
    return len < 256 ? 2 : len < 65536 ? 3 : 5;
  }

  /** A str or bin header: {@code fix} (or -1) below {@code fixLimit}, else the 8/16/32-bit form. */
  private static int putHeader(byte[] out, int i, int len, int fix, int fixLimit, int t8, int t16, int t32) {
    if (len < fixLimit) {
      out[i] = (byte) (fix | len);
      return i + 1;
    } else if (len < 256) {
      out[i] = (byte) t8;
      out[i + 1] = (byte) len;
      return i + 2;
    } else if (len < 65536) {
      out[i] = (byte) t16;
      out[i + 1] = (byte) (len >>> 8);
      out[i + 2] = (byte) len;
      return i + 3;
    }
    out[i] = (byte) t32;
    putInt(out, i + 1, len);
    return i + 5;
  }

  private static int put(byte[] out, int i, byte[] b) {
    System.arraycopy(b, 0, out, i, b.length);
    return i + b.length;
  }

  private static void putInt(byte[] out, int i, int v) {
    out[i] = (byte) (v >>> 24);
    out[i + 1] = (byte) (v >>> 16);
    out[i + 2] = (byte) (v >>> 8);
    out[i + 3] = (byte) v;
  }

  /** Decodes an envelope from untrusted bytes (the whole array is one MessagePack value). */
  public static EventEnvelope decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length, null);
  }

  /**
   * Decodes an envelope from untrusted bytes in one pass, without building a tree: a map whose
   * keys are matched by name in any order (a repeated key: the last wins), unknown keys (and
   * non-string keys) skipped, nested up to {@value Json#MAX_DEPTH} levels; the value spans exactly
   * {@code [off, off + len)}.
   *
   * @param knownTopic when the topic's bytes spell this string, the envelope gets this instance
   *     (a subscriber's own topic: no string decoded per event); may be null
   * @throws WireFormatException for anything else, naming what was wrong
   */
  public static EventEnvelope decode(byte[] buf, int off, int len, String knownTopic) {
    if (off < 0 || len < 0 || off + len > buf.length) {
      throw new IndexOutOfBoundsException("range [" + off + ", " + (off + len) + ") of " + buf.length + " bytes");
    }
    if (len == 0) {
      throw new WireFormatException(FORMAT, "empty MessagePack document");
    }
    return new Reader(buf, off, off + len).envelope(knownTopic);
  }

  /**
   * Decodes the envelope inside a ZMQ event frame ({@link EventFrame} rules: version, then the
   * declared length, which must fit; bytes after it are ignored) without copying it out.
   */
  public static EventEnvelope decodeFrame(byte[] frame, String knownTopic) {
    int len = EventFrame.payloadLength(frame);
    return decode(frame, EventFrame.HEADER_SIZE, len, knownTopic);
  }

  /** A bounds-checked cursor over one MessagePack value; every error is a {@link WireFormatException}. */
  private static final class Reader extends MsgpackCursor {
    Reader(byte[] buf, int pos, int end) {
      super(FORMAT, buf, pos, end);
    }

    private long pid = -1;
    private long seq = -1;
    private long at = -1;
    private boolean hasPid;
    private boolean hasSeq;
    private boolean hasAt;
    private String topic;
    private int payloadOff;
    private int payloadLen = -1;

    EventEnvelope envelope(String knownTopic) {
      int b = u8();
      if (b >= 0x80 && b <= 0x8f) {
        mapFields(b & 0x0f, knownTopic);
      } else if (b == 0xde) {
        mapFields(uN(2, "map16 length"), knownTopic);
      } else if (b == 0xdf) {
        mapFields(uN(4, "map32 length"), knownTopic);
      } else if (b >= 0x90 && b <= 0x9f) {
        arrayFields(b & 0x0f, knownTopic);
      } else if (b == 0xdc) {
        arrayFields(uN(2, "array16 length"), knownTopic);
      } else if (b == 0xdd) {
        arrayFields(uN(4, "array32 length"), knownTopic);
      } else {
        pos--;
        throw new WireFormatException(FORMAT, "expected a map (or the compact array form), got " + kind(b));
      }
      if (pos != end) {
        throw new WireFormatException(FORMAT, (end - pos) + " trailing bytes after the MessagePack value");
      }
      if (!hasPid) {
        throw new WireFormatException(FORMAT, "missing field 'publisher_id'");
      }
      if (!hasSeq) {
        throw new WireFormatException(FORMAT, "missing field 'sequence'");
      }
      if (!hasAt) {
        throw new WireFormatException(FORMAT, "missing field 'published_at'");
      }
      if (topic == null) {
        throw new WireFormatException(FORMAT, "missing field 'topic'");
      }
      if (payloadLen < 0) {
        throw new WireFormatException(FORMAT, "missing field 'payload'");
      }
      byte[] payload = Arrays.copyOfRange(buf, payloadOff, payloadOff + payloadLen);
      return new EventEnvelope(pid, seq, at, topic, payload);
    }

    /** The named map Dynamo's publishers write: keys by name, any order, unknown keys skipped. */
    private void mapFields(long entries, String knownTopic) {
      need(2 * entries, "a map of " + entries + " entries");
      for (long e = 0; e < entries; e++) {
        int k = keyId();
        if (k == 0) {
          skip(1);
        } else {
          field(k, knownTopic);
        }
      }
    }

    /**
     * The compact array form ({@code rmp_serde::to_vec} of the struct, spec T6): the five fields
     * in declaration order; fewer is a missing field, elements after the fifth are skipped.
     */
    private void arrayFields(long elements, String knownTopic) {
      need(elements, "an array of " + elements + " elements");
      for (long e = 0; e < elements; e++) {
        if (e < 5) {
          field((int) e + 1, knownTopic);
        } else {
          skip(1);
        }
      }
    }

    /** Reads the value of field {@code k} (1 publisher_id .. 5 payload); a nil counts as missing. */
    private void field(int k, String knownTopic) {
      switch (k) {
        case 1 -> {
          pid = u64OrNil("publisher_id");
          hasPid = !wasNil;
        }
        case 2 -> {
          seq = u64OrNil("sequence");
          hasSeq = !wasNil;
        }
        case 3 -> {
          at = u64OrNil("published_at");
          hasAt = !wasNil;
        }
        case 4 -> topic = topicOrNull(knownTopic);
        case 5 -> {
          int t = u8();
          if (t == 0xc0) {
            payloadLen = -1;
            return;
          }
          long n = switch (t) {
            case 0xc4 -> uN(1, "bin8 length");
            case 0xc5 -> uN(2, "bin16 length");
            case 0xc6 -> uN(4, "bin32 length");
            default -> strLength(t); // leniently, text
          };
          if (n < 0) {
            throw new WireFormatException(FORMAT, "field 'payload' must be bin, got " + kind(t));
          }
          need(n, "a bin payload");
          payloadOff = pos;
          payloadLen = (int) n;
          pos += (int) n;
        }
        default -> throw new IllegalStateException("field " + k);
      }
    }

    /** Whether the last {@link #u64OrNil} read a nil (a nil field counts as missing). */
    private boolean wasNil;

    private long u64OrNil(String field) {
      int b = u8();
      wasNil = b == 0xc0;
      if (b <= 0x7f) {
        return b;
      }
      return switch (b) {
        case 0xc0 -> 0;
        case 0xcc -> uN(1, "uint8");
        case 0xcd -> uN(2, "uint16");
        case 0xce -> uN(4, "uint32");
        case 0xcf -> uN(8, "uint64");
        case 0xd0, 0xd1, 0xd2, 0xd3 -> {
          int n = 1 << (b - 0xd0);
          long v = uN(n, "int" + (8 * n));
          long signed = (v << (64 - 8 * n)) >> (64 - 8 * n);
          if (signed < 0) {
            throw new WireFormatException(FORMAT, "field '" + field + "' must be an unsigned 64-bit integer, got " + signed);
          }
          yield signed;
        }
        default -> {
          if (b >= 0xe0) {
            throw new WireFormatException(FORMAT, "field '" + field + "' must be an unsigned 64-bit integer, got " + (byte) b);
          }
          throw new WireFormatException(FORMAT, "field '" + field + "' must be an unsigned 64-bit integer, got " + kind(b));
        }
      };
    }

    /** The topic string, or null for nil (missing). */
    private String topicOrNull(String known) {
      int b = u8();
      long n = strLength(b);
      if (n < 0) {
        if (b == 0xc0) {
          return null;
        }
        throw new WireFormatException(FORMAT, "field 'topic' must be a string, got " + kind(b));
      }
      need(n, "a string");
      int len = (int) n;
      int at = pos;
      pos += len;
      if (known != null && known.length() == len && asciiEquals(known, at, len)) {
        return known;
      }
      return utf8(at, len);
    }

    private boolean asciiEquals(String s, int at, int len) {
      for (int i = 0; i < len; i++) {
        char c = s.charAt(i);
        if (c >= 0x80 || buf[at + i] != (byte) c) {
          return false;
        }
      }
      return true;
    }

    private String utf8(int at, int len) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(buf, at, len))
            .toString();
      } catch (CharacterCodingException e) {
        throw new WireFormatException(FORMAT, "string is not valid UTF-8");
      }
    }

    /** Reads a map key: 1-5 for the envelope's fields, 0 for any other key (its value is skipped). */
    private int keyId() {
      int b = u8();
      long n = strLength(b);
      if (n < 0) {
        if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) {
          pos--;
          skip(1); // an integer key (the tree decoder accepted them as text): never one of ours
          return 0;
        }
        throw new WireFormatException(FORMAT, "map key must be a string, got " + kind(b));
      }
      need(n, "a string");
      int len = (int) n;
      int at = pos;
      pos += len;
      if (matches(K_PUBLISHER_ID, at, len)) {
        return 1;
      } else if (matches(K_SEQUENCE, at, len)) {
        return 2;
      } else if (matches(K_PUBLISHED_AT, at, len)) {
        return 3;
      } else if (matches(K_TOPIC, at, len)) {
        return 4;
      } else if (matches(K_PAYLOAD, at, len)) {
        return 5;
      }
      return 0;
    }

    private boolean matches(byte[] key, int at, int len) {
      return len == key.length - 1 && Arrays.equals(buf, at, at + len, key, 1, key.length);
    }

    /** Skips one value (of any type but extensions), at most {@value Json#MAX_DEPTH} levels deep. */
    private void skip(int depth) {
      if (depth > Json.MAX_DEPTH) {
        throw new WireFormatException(FORMAT, "MessagePack nesting deeper than " + Json.MAX_DEPTH);
      }
      int b = u8();
      if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        return;
      }
      long n;
      if (b >= 0x80 && b <= 0x8f) {
        skipItems(2L * (b & 0x0f), depth);
        return;
      } else if (b >= 0x90 && b <= 0x9f) {
        skipItems(b & 0x0f, depth);
        return;
      } else if (b >= 0xa0 && b <= 0xbf) {
        n = b & 0x1f;
      } else {
        switch (b) {
          case 0xc4, 0xd9 -> n = uN(1, "a length");
          case 0xc5, 0xda -> n = uN(2, "a length");
          case 0xc6, 0xdb -> n = uN(4, "a length");
          case 0xca -> n = 4;
          case 0xcb -> n = 8;
          case 0xcc, 0xd0 -> n = 1;
          case 0xcd, 0xd1 -> n = 2;
          case 0xce, 0xd2 -> n = 4;
          case 0xcf, 0xd3 -> n = 8;
          case 0xdc -> {
            skipItems(uN(2, "array16 length"), depth);
            return;
          }
          case 0xdd -> {
            skipItems(uN(4, "array32 length"), depth);
            return;
          }
          case 0xde -> {
            skipItems(2 * uN(2, "map16 length"), depth);
            return;
          }
          case 0xdf -> {
            skipItems(2 * uN(4, "map32 length"), depth);
            return;
          }
          case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 ->
              throw new WireFormatException(FORMAT, String.format("unsupported MessagePack extension type 0x%02x", b));
          default -> throw new WireFormatException(FORMAT, String.format("invalid MessagePack type byte 0x%02x", b));
        }
      }
      need(n, "a value");
      pos += (int) n;
    }

    private void skipItems(long count, int depth) {
      need(count, "a container of " + count + " items"); // each item is at least one byte
      for (long i = 0; i < count; i++) {
        skip(depth + 1);
      }
    }

    private static String kind(int b) {
      if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) {
        return "NUMBER";
      } else if (b == 0xca || b == 0xcb) {
        return "NUMBER";
      } else if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf) {
        return "OBJECT";
      } else if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd) {
        return "ARRAY";
      } else if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb)) {
        return "STRING";
      } else if (b >= 0xc4 && b <= 0xc6) {
        return "BINARY";
      } else if (b == 0xc2 || b == 0xc3) {
        return "BOOLEAN";
      } else if (b == 0xc0) {
        return "NULL";
      }
      return String.format("type byte 0x%02x", b);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventEnvelope e
        && publisherId == e.publisherId
        && sequence == e.sequence
        && publishedAt == e.publishedAt
        && topic.equals(e.topic)
        && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(publisherId) * 31 + Long.hashCode(sequence);
  }

  @Override
  public String toString() {
    return "EventEnvelope[publisher=" + publisherId + ", seq=" + sequence + ", at=" + publishedAt
        + ", topic=" + topic + ", payload=" + payload.length + " bytes]";
  }
}
