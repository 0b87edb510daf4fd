package dev.dynamo4j.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;
import org.msgpack.jackson.dataformat.MessagePackFactory;

/**
 * How request bodies and response items are encoded (Dynamo's {@code RequestPlanePayloadCodec}).
 *
 * <p>{@link #JSON} is compact JSON; {@link #MSGPACK} is MessagePack with named maps (as {@code
 * rmp_serde::to_vec_named} writes it): objects become maps keyed by field name, integers take
 * their smallest form, {@code byte[]} becomes {@code bin}. Decoding goes through a tree ({@link
 * #decodeTree}) so untrusted bytes are bounded-checked before any typed conversion.
 */
public enum PayloadCodec {
  JSON("json"),
  MSGPACK("msgpack");

  private static final ObjectMapper MSGPACK_MAPPER =
      new ObjectMapper(new MessagePackFactory())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .registerModule(new DynamoJacksonModule());

  private final String wireName;

  PayloadCodec(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in control messages and discovery records: {@code json} or {@code msgpack}. */
  public String wireName() {
    return wireName;
  }

  /** The codec with this wire name (case-insensitive), or {@code null}. */
  public static PayloadCodec fromWireName(String name) {
    if (name == null) {
      return null;
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "json" -> JSON;
      case "msgpack" -> MSGPACK;
      default -> null;
    };
  }

  /** Encodes any Jackson-serialisable value. */
  public byte[] encode(Object value) {
    try {
      return mapper().writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new WireFormatException(
          "payload(" + wireName + ")", "cannot encode " + (value == null ? "null" : value.getClass().getName()) + ": " + e.getOriginalMessage(), e);
    }
  }

  /** Decodes untrusted bytes to a tree; malformed input is a {@link WireFormatException}. */
  public JsonNode decodeTree(byte[] bytes) {
    String format = "payload(" + wireName + ")";
    return this == JSON ? Json.parse(format, bytes) : MsgpackTree.read(format, bytes);
  }

  /** Decodes untrusted bytes to a typed value. */
  public <T> T decode(byte[] bytes, JavaType type) {
    return convert(decodeTree(bytes), type, "payload(" + wireName + ")");
  }

  /** Converts a decoded tree to a typed value, reporting a mismatch as a wire error. */
  public static <T> T convert(JsonNode node, JavaType type, String format) {
    try {
      return Json.MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw new WireFormatException(format, "cannot read " + type.toCanonical() + ": " + msg, e);
    }
  }

  ObjectMapper mapper() {
    return this == JSON ? Json.MAPPER : MSGPACK_MAPPER;
  }
}
