package dev.dynamo4j.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The envelope every event travels in: a MessagePack named map with the keys {@code
 * publisher_id, sequence, published_at, topic, payload} in that order, integers in their
 * smallest form, {@code payload} as {@code bin}.
 *
 * <p>Decoding matches keys by name in any order, ignores unknown keys (such as the branch-only
 * {@code published_at_ns}), and accepts {@code payload} as {@code bin} (or, leniently, {@code
 * str}). Integers are unsigned 64-bit values held in {@code long}s.
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

  public byte[] encode() {
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(5);
      p.packString("publisher_id");
      packU64(p, publisherId);
      p.packString("sequence");
      packU64(p, sequence);
      p.packString("published_at");
      packU64(p, publishedAt);
      p.packString("topic");
      p.packRawStringHeader(topicBytes.length);
      p.writePayload(topicBytes);
      p.packString("payload");
      p.packBinaryHeader(payload.length);
      p.writePayload(payload);
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void packU64(MessageBufferPacker p, long v) throws IOException {
    if (v >= 0) {
      p.packLong(v);
    } else {
      p.packBigInteger(new BigInteger(Long.toUnsignedString(v)));
    }
  }

  /** Decodes an envelope from untrusted bytes. */
  public static EventEnvelope decode(byte[] bytes) {
    var n = MsgpackTree.read(FORMAT, bytes);
    if (!n.isObject()) {
      throw new WireFormatException(FORMAT, "expected a map, got " + n.getNodeType());
    }
    long pid = Json.requireU64(FORMAT, n, "publisher_id");
    long seq = Json.requireU64(FORMAT, n, "sequence");
    long at = Json.requireU64(FORMAT, n, "published_at");
    String topic = Json.requireText(FORMAT, n, "topic");
    var p = n.get("payload");
    byte[] payload;
    if (p == null || p.isNull()) {
      throw new WireFormatException(FORMAT, "missing field 'payload'");
    } else if (p.isBinary()) {
      try {
        payload = p.binaryValue();
      } catch (IOException e) {
        throw new WireFormatException(FORMAT, "unreadable payload", e);
      }
    } else if (p.isTextual()) {
      payload = p.textValue().getBytes(StandardCharsets.UTF_8);
    } else {
      throw new WireFormatException(FORMAT, "field 'payload' must be bin, got " + p.getNodeType());
    }
    return new EventEnvelope(pid, seq, at, topic, payload);
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
