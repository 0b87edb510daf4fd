package dev.dynamo4j.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One response item on the wire (Dynamo's {@code NetworkStreamWrapper}): {@code {"data": <item>,
 * "complete_final": false}} for items, {@code {"complete_final": true}} to end the stream.
 * Encoded with the request's payload codec; {@code data} is omitted when absent.
 *
 * @param data the item as a tree, or {@code null} when absent
 * @param completeFinal whether this is the end-of-stream marker
 */
public record StreamWrapper(JsonNode data, boolean completeFinal) {
  public static final String FORMAT = "StreamWrapper";

  // {"data": then ,"complete_final":false} around the item's own bytes; in MessagePack a fixmap
  // of two, the fixstr keys and false. Same bytes as encoding Item, without building the wrapper
  // (the MessagePack generator buffers every open map as a node tree; a bare value it writes
  // straight out).
  private static final byte[] JSON_HEAD = "{\"data\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JSON_TAIL = ",\"complete_final\":false}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MSGPACK_HEAD = {(byte) 0x82, (byte) 0xa4, 'd', 'a', 't', 'a'};
  private static final byte[] MSGPACK_TAIL = {
    (byte) 0xae, 'c', 'o', 'm', 'p', 'l', 'e', 't', 'e', '_', 'f', 'i', 'n', 'a', 'l', (byte) 0xc2
  };

  /** Encodes an item (any Jackson-serialisable value) with {@code complete_final:false}. */
  public static byte[] encodeItem(PayloadCodec codec, Object item) {
    if (item == null) {
      return codec.encode(new Item(null, false));
    }
    if (codec == PayloadCodec.MSGPACK && (item instanceof String || item instanceof byte[])) {
      return msgpackScalarItem(item); // text tokens and raw bytes, the common items, skip the generator
    }
    byte[] value = codec.encode(item);
    byte[] head = codec == PayloadCodec.JSON ? JSON_HEAD : MSGPACK_HEAD;
    byte[] tail = codec == PayloadCodec.JSON ? JSON_TAIL : MSGPACK_TAIL;
    byte[] out = new byte[head.length + value.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(value, 0, out, head.length, value.length);
    System.arraycopy(tail, 0, out, head.length + value.length, tail.length);
    return out;
  }

  /**
   * A string (str family) or byte array (bin family) in the smallest MessagePack form, as the
   * MessagePack generator and rmp_serde write them, framed as an item in one array.
   */
  private static byte[] msgpackScalarItem(Object item) {
    byte[] body = item instanceof String str ? str.getBytes(StandardCharsets.UTF_8) : (byte[]) item;
    int n = body.length;
    boolean text = item instanceof String;
    int hl;
    if (text && n < 32) {
      hl = 1;
    } else if (n < 256) {
      hl = 2;
    } else if (n < 65536) {
      hl = 3;
    } else {
      hl = 5;
    }
    byte[] out = new byte[MSGPACK_HEAD.length + hl + n + MSGPACK_TAIL.length];
    System.arraycopy(MSGPACK_HEAD, 0, out, 0, MSGPACK_HEAD.length);
    int p = MSGPACK_HEAD.length;
    if (hl == 1) {
      out[p++] = (byte) (0xa0 | n);
    } else if (hl == 2) {
      out[p++] = (byte) (text ? 0xd9 : 0xc4);
      out[p++] = (byte) n;
    } else if (hl == 3) {
      out[p++] = (byte) (text ? 0xda : 0xc5);
      out[p++] = (byte) (n >>> 8);
      out[p++] = (byte) n;
    } else {
      out[p++] = (byte) (text ? 0xdb : 0xc6);
      out[p++] = (byte) (n >>> 24);
      out[p++] = (byte) (n >>> 16);
      out[p++] = (byte) (n >>> 8);
      out[p++] = (byte) n;
    }
    System.arraycopy(body, 0, out, p, n);
    System.arraycopy(MSGPACK_TAIL, 0, out, p + n, MSGPACK_TAIL.length);
    return out;
  }

  private static final byte[] JSON_FINAL = "{\"complete_final\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MSGPACK_FINAL = {
    (byte) 0x81, (byte) 0xae, 'c', 'o', 'm', 'p', 'l', 'e', 't', 'e', '_', 'f', 'i', 'n', 'a', 'l', (byte) 0xc3
  };

  /** Encodes the end-of-stream marker {@code {"complete_final":true}} (a fresh array each time). */
  public static byte[] encodeFinal(PayloadCodec codec) {
    return (codec == PayloadCodec.JSON ? JSON_FINAL : MSGPACK_FINAL).clone();
  }

  public byte[] encode(PayloadCodec codec) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (data != null) {
      n.set("data", data);
    }
    n.put("complete_final", completeFinal);
    return codec.encode(n);
  }

  /**
   * The item of a MessagePack wrapper framed exactly as {@link #encodeItem} frames text and bytes
   * ({@code {"data": <str or bin>, "complete_final": false}}), decoded straight to a {@code
   * String} or {@code byte[]} when that is the wanted type; {@code null} for anything else (other
   * layouts, types or codecs), which the caller decodes with {@link #decode}. The value's declared
   * length must account for every byte between the two fixed parts, so nothing is skipped.
   */
  public static Object decodeScalarItem(PayloadCodec codec, byte[] bytes, Class<?> wanted) {
    if (codec != PayloadCodec.MSGPACK || (wanted != String.class && wanted != byte[].class)) {
      return null;
    }
    int head = MSGPACK_HEAD.length;
    int tail = MSGPACK_TAIL.length;
    if (bytes.length < head + 1 + tail
        || !Arrays.equals(bytes, 0, head, MSGPACK_HEAD, 0, head)
        || !Arrays.equals(bytes, bytes.length - tail, bytes.length, MSGPACK_TAIL, 0, tail)) {
      return null;
    }
    int p = head;
    int t = bytes[p] & 0xff;
    boolean text = wanted == String.class;
    long n;
    if (text && (t & 0xe0) == 0xa0) {
      n = t & 0x1f;
      p += 1;
    } else if (t == (text ? 0xd9 : 0xc4)) {
      n = bytes[p + 1] & 0xff;
      p += 2;
    } else if (t == (text ? 0xda : 0xc5) && bytes.length >= head + 3 + tail) {
      n = ((bytes[p + 1] & 0xff) << 8) | (bytes[p + 2] & 0xff);
      p += 3;
    } else if (t == (text ? 0xdb : 0xc6) && bytes.length >= head + 5 + tail) {
      n = ((long) (bytes[p + 1] & 0xff) << 24) | ((bytes[p + 2] & 0xff) << 16) | ((bytes[p + 3] & 0xff) << 8) | (bytes[p + 4] & 0xff);
      p += 5;
    } else {
      return null;
    }
    if (p + n + tail != bytes.length) {
      return null;
    }
    return text ? new String(bytes, p, (int) n, StandardCharsets.UTF_8) : Arrays.copyOfRange(bytes, p, p + (int) n);
  }

  /** Decodes untrusted bytes; {@code complete_final} defaults to false, a JSON null data is absent. */
  public static StreamWrapper decode(PayloadCodec codec, byte[] bytes) {
    JsonNode n = codec.decodeTree(bytes);
    if (!n.isObject()) {
      throw new WireFormatException(FORMAT, "expected a map, got " + n.getNodeType());
    }
    JsonNode cf = n.get("complete_final");
    boolean completeFinal = false;
    if (cf != null && !cf.isNull()) {
      if (!cf.isBoolean()) {
        throw new WireFormatException(FORMAT, "field 'complete_final' must be a boolean");
      }
      completeFinal = cf.booleanValue();
    }
    JsonNode data = n.get("data");
    return new StreamWrapper(data == null || data.isNull() ? null : data, completeFinal);
  }

  @JsonPropertyOrder({"data", "complete_final"})
  record Item(
      @JsonProperty("data") Object data,
      @JsonProperty("complete_final") boolean completeFinal) {}

  record Final(@JsonProperty("complete_final") boolean completeFinal) {}
}
