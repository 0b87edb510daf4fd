package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads untrusted MessagePack into a Jackson tree, so typed decoding can reuse the JSON mapper.
 *
 * <p>Written for hostile input: every declared length is checked against the bytes that remain
 * before anything is allocated, nesting is limited to {@link Json#MAX_DEPTH}, strings must be
 * valid UTF-8, and any violation is a {@link WireFormatException}. {@code bin} becomes a binary
 * node, map keys must be strings or integers (integers become their decimal text).
 */
final class MsgpackTree extends MsgpackCursor {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private MsgpackTree(String format, byte[] buf) {
    super(format, buf, 0, buf.length);
  }

  /** Decodes exactly one MessagePack value that spans the whole array. */
  public static JsonNode read(String format, byte[] bytes) {
    MsgpackTree r = new MsgpackTree(format, bytes);
    if (bytes.length == 0) {
      throw new WireFormatException(format, "empty MessagePack document");
    }
    JsonNode node = r.value(0);
    if (r.pos != bytes.length) {
      throw new WireFormatException(format, (bytes.length - r.pos) + " trailing bytes after the MessagePack value");
    }
    return node;
  }

  private JsonNode value(int depth) {
    if (depth > Json.MAX_DEPTH) {
      throw new WireFormatException(format, "MessagePack nesting deeper than " + Json.MAX_DEPTH);
    }
    int b = u8();
    if (b <= 0x7f) {
      return NODES.numberNode(b);
    }
    if (b >= 0xe0) {
      return NODES.numberNode((byte) b);
    }
    if (b >= 0x80 && b <= 0x8f) {
      return map(b & 0x0f, depth);
    }
    if (b >= 0x90 && b <= 0x9f) {
      return array(b & 0x0f, depth);
    }
    if (b >= 0xa0 && b <= 0xbf) {
      return NODES.textNode(str(b & 0x1f));
    }
    return switch (b) {
      case 0xc0 -> NODES.nullNode();
      case 0xc2 -> NODES.booleanNode(false);
      case 0xc3 -> NODES.booleanNode(true);
      case 0xc4 -> NODES.binaryNode(bytes(uN(1, "bin8 length")));
      case 0xc5 -> NODES.binaryNode(bytes(uN(2, "bin16 length")));
      case 0xc6 -> NODES.binaryNode(bytes(uN(4, "bin32 length")));
      case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 ->
          throw new WireFormatException(format, String.format("unsupported MessagePack extension type 0x%02x", b));
      case 0xca -> {
        need(4, "float32");
        float f = ByteBuffer.wrap(buf, pos, 4).getFloat();
        pos += 4;
        yield NODES.numberNode(f);
      }
      case 0xcb -> {
        need(8, "float64");
        double d = ByteBuffer.wrap(buf, pos, 8).getDouble();
        pos += 8;
        yield NODES.numberNode(d);
      }
      case 0xcc -> NODES.numberNode((int) uN(1, "uint8"));
      case 0xcd -> NODES.numberNode((int) uN(2, "uint16"));
      case 0xce -> NODES.numberNode(uN(4, "uint32"));
      case 0xcf -> {
        long v = uN(8, "uint64");
        yield v >= 0 ? NODES.numberNode(v) : NODES.numberNode(new BigInteger(Long.toUnsignedString(v)));
      }
      case 0xd0 -> NODES.numberNode((int) (byte) uN(1, "int8"));
      case 0xd1 -> NODES.numberNode((int) (short) uN(2, "int16"));
      case 0xd2 -> NODES.numberNode((int) uN(4, "int32"));
      case 0xd3 -> NODES.numberNode(uN(8, "int64"));
      case 0xd9 -> NODES.textNode(str(uN(1, "str8 length")));
      case 0xda -> NODES.textNode(str(uN(2, "str16 length")));
      case 0xdb -> NODES.textNode(str(uN(4, "str32 length")));
      case 0xdc -> array(uN(2, "array16 length"), depth);
      case 0xdd -> array(uN(4, "array32 length"), depth);
      case 0xde -> map(uN(2, "map16 length"), depth);
      case 0xdf -> map(uN(4, "map32 length"), depth);
      default -> throw new WireFormatException(format, String.format("invalid MessagePack type byte 0x%02x", b));
    };
  }

  private byte[] bytes(long len) {
    need(len, "a bin payload");
    byte[] out = new byte[(int) len];
    System.arraycopy(buf, pos, out, 0, (int) len);
    pos += (int) len;
    return out;
  }

  private String str(long len) {
    need(len, "a string");
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, pos, (int) len))
              .toString();
      pos += (int) len;
      return s;
    } catch (CharacterCodingException e) {
      throw new WireFormatException(format, "string is not valid UTF-8");
    }
  }

  private ArrayNode array(long n, int depth) {
    need(n, "an array of " + n + " elements");
    ArrayNode a = NODES.arrayNode();
    for (long i = 0; i < n; i++) {
      a.add(value(depth + 1));
    }
    return a;
  }

  private ObjectNode map(long n, int depth) {
    need(2 * n, "a map of " + n + " entries");
    ObjectNode o = NODES.objectNode();
    for (long i = 0; i < n; i++) {
      JsonNode key = value(depth + 1);
      String k;
      if (key.isTextual()) {
        k = key.textValue();
      } else if (key.isIntegralNumber()) {
        k = key.asText();
      } else {
        throw new WireFormatException(format, "map key must be a string, got " + key.getNodeType());
      }
      o.set(k, value(depth + 1));
    }
    return o;
  }
}
