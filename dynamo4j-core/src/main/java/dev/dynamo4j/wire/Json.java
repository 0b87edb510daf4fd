package dev.dynamo4j.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;

/**
 * The JSON machinery shared by every wire format: one configured {@link ObjectMapper}, compact
 * output (as serde_json writes it), lenient input (unknown keys ignored), and helpers that turn
 * Jackson's exceptions into {@link WireFormatException}.
 */
public final class Json {
  private Json() {}

  /** Nesting depth accepted from the network; deeper input is rejected, not recursed into. */
  public static final int MAX_DEPTH = 256;

  /**
   * Reads with a depth limit; writes the bytes serde_json writes (spec T5): characters outside
   * the BMP as raw 4-byte UTF-8 (Jackson would escape each surrogate), control characters
   * without a short form as {@code \\u00xx} in lower-case hex (Jackson writes upper case).
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();

  /** The mapper used for user payloads and for converting decoded trees to typed values. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .addModule(new DynamoJacksonModule())
          .build();

  /** Parses untrusted JSON into a tree. */
  public static JsonNode parse(String format, byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new WireFormatException(format, "empty JSON document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new WireFormatException(format, "invalid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new WireFormatException(format, "unreadable JSON: " + e.getMessage(), e);
    }
  }

  /** Parses untrusted JSON that must be an object. */
  public static JsonNode parseObject(String format, byte[] bytes) {
    JsonNode node = parse(format, bytes);
    if (!node.isObject()) {
      throw new WireFormatException(format, "expected a JSON object, got " + node.getNodeType());
    }
    return node;
  }

  /** Writes JSON with a generator, returning the compact bytes. */
  public static byte[] write(JsonWriter writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setCodec(MAPPER);
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Serialises any value with the shared mapper (compact). */
  public static byte[] toBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + value.getClass().getName(), e);
    }
  }

  /** Writes an unsigned 64-bit value held in a {@code long} as a plain decimal number. */
  public static void writeUnsigned(JsonGenerator g, long value) throws IOException {
    if (value >= 0) {
      g.writeNumber(value);
    } else {
      g.writeNumber(new BigInteger(Long.toUnsignedString(value)));
    }
  }

  /** Required string field. */
  public static String requireText(String format, JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      throw new WireFormatException(format, "missing field '" + field + "'");
    }
    if (!n.isTextual()) {
      throw new WireFormatException(format, "field '" + field + "' must be a string, got " + n.getNodeType());
    }
    return n.textValue();
  }

  /** Optional string field: absent or null gives {@code null}. */
  public static String optionalText(String format, JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new WireFormatException(format, "field '" + field + "' must be a string, got " + n.getNodeType());
    }
    return n.textValue();
  }

  /** Required unsigned 64-bit integer field, returned in a {@code long} (two's complement above 2^63). */
  public static long requireU64(String format, JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      throw new WireFormatException(format, "missing field '" + field + "'");
    }
    return u64(format, field, n);
  }

  static long u64(String format, String field, JsonNode n) {
    if (n.isIntegralNumber()) {
      BigInteger v = n.bigIntegerValue();
      if (v.signum() >= 0 && v.bitLength() <= 64) {
        return v.longValue();
      }
    }
    throw new WireFormatException(format, "field '" + field + "' must be an unsigned 64-bit integer, got " + n);
  }

  /** Writes JSON through a generator. */
  @FunctionalInterface
  public interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }
}
