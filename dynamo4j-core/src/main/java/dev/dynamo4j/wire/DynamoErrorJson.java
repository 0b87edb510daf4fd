package dev.dynamo4j.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoError.PublicDetails;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.ErrorType;
import java.io.IOException;

/**
 * The JSON form of {@link DynamoError} (Dynamo {@code error.rs}, 2026).
 *
 * <p>Written with the keys {@code error_type, class, reason, message} always, then {@code
 * diagnostic}, {@code public}, {@code caused_by} when present. Read fail-closed: every key is
 * optional, unknown keys are ignored, and an identity that does not validate becomes {@code
 * Internal / runtime.invalid_error} with public details dropped.
 */
public final class DynamoErrorJson {
  private DynamoErrorJson() {}

  static final String FORMAT = "DynamoError";

  public static byte[] toBytes(DynamoError error) {
    return Json.write(g -> write(g, error));
  }

  public static void write(JsonGenerator g, DynamoError e) throws IOException {
    boolean valid = e.identityValid();
    ErrorType type = valid ? e.type() : ErrorType.Internal;
    g.writeStartObject();
    g.writeFieldName("error_type");
    if (type.isBackend()) {
      g.writeStartObject();
      g.writeStringField("Backend", type.backendName());
      g.writeEndObject();
    } else {
      g.writeString(type.legacyWireName());
    }
    g.writeStringField("class", type.canonical().name());
    g.writeStringField("reason", valid ? e.reason() : "runtime.invalid_error");
    g.writeStringField("message", e.diagnostic() == null ? "" : e.diagnostic());
    if (e.diagnostic() != null) {
      g.writeStringField("diagnostic", e.diagnostic());
    }
    if (valid && e.publicDetails() != null) {
      g.writeFieldName("public");
      writePublic(g, e.publicDetails());
    }
    if (e.causedBy() != null) {
      g.writeFieldName("caused_by");
      write(g, e.causedBy());
    }
    g.writeEndObject();
  }

  private static void writePublic(JsonGenerator g, PublicDetails p) throws IOException {
    g.writeStartObject();
    switch (p) {
      case PublicDetails.Message m -> {
        g.writeStringField("type", "message");
        g.writeStringField("message", m.message());
      }
      case PublicDetails.SizeLimit s -> {
        g.writeStringField("type", "size_limit");
        g.writeNumberField("limit", s.limit());
        writeNullable(g, "actual", s.actual());
      }
      case PublicDetails.ContextLength c -> {
        g.writeStringField("type", "context_length");
        g.writeNumberField("limit", c.limit());
        writeNullable(g, "actual", c.actual());
      }
      case PublicDetails.RateLimit r -> {
        g.writeStringField("type", "rate_limit");
        g.writeNumberField("limit", r.limit());
        writeNullable(g, "remaining", r.remaining());
      }
    }
    g.writeEndObject();
  }

  private static void writeNullable(JsonGenerator g, String field, Long v) throws IOException {
    g.writeFieldName(field);
    if (v == null) {
      g.writeNull();
    } else {
      Json.writeUnsigned(g, v);
    }
  }

  public static DynamoError fromBytes(byte[] json) {
    return read(Json.parseObject(FORMAT, json));
  }

  /** Reads a DynamoError with Dynamo's fail-closed rules. */
  public static DynamoError read(JsonNode node) {
    return read(node, 0);
  }

  private static DynamoError read(JsonNode node, int depth) {
    if (node == null || !node.isObject()) {
      throw new WireFormatException(FORMAT, "expected a JSON object");
    }
    if (depth > Json.MAX_DEPTH) {
      throw new WireFormatException(FORMAT, "caused_by chain deeper than " + Json.MAX_DEPTH);
    }
    JsonNode classNode = node.get("class");
    JsonNode typeNode = node.get("error_type");
    boolean hasClass = classNode != null && !classNode.isNull();
    boolean hasType = typeNode != null && !typeNode.isNull();
    ErrorType cls = hasClass ? parseType(classNode) : null;
    ErrorType legacy = hasType ? parseType(typeNode) : null;
    if (hasType && legacy == null) {
      legacy = ErrorType.Unknown; // an unknown string becomes Unknown
    }

    String diagnostic = optionalString(node, "diagnostic");
    if (diagnostic == null) {
      String message = optionalString(node, "message");
      diagnostic = message == null || message.isEmpty() ? null : message;
    }
    DynamoError cause = null;
    JsonNode causeNode = node.get("caused_by");
    if (causeNode != null && causeNode.isObject()) {
      cause = read(causeNode, depth + 1);
    }

    if (hasClass && cls == null) {
      // A class we cannot name cannot be validated: fail closed.
      return new DynamoError(ErrorType.Internal, "runtime.invalid_error", diagnostic, null, cause);
    }
    ErrorType source = cls != null ? cls : legacy != null ? legacy : ErrorType.Unknown;
    String reason = optionalString(node, "reason");
    if (reason == null) {
      reason = legacy != null ? legacy.defaultReason() : source.defaultReason();
    }
    ErrorType type = source;
    if (cls != null && legacy != null && legacy.canonical() == cls.canonical()) {
      type = mostSpecific(cls, typeNode, reason, legacy);
    }
    PublicDetails details = readPublic(node.has("public") ? node.get("public") : node.get("public_details"));
    DynamoError e = new DynamoError(type, reason, diagnostic, details, cause);
    if (!e.identityValid()) {
      return new DynamoError(ErrorType.Internal, "runtime.invalid_error", diagnostic, null, cause);
    }
    return e;
  }

  /**
   * Reads the {@code typed_error} of a response prologue: absent, {@code null} or not an object
   * gives {@code null}; without a {@code class} key an unknown legacy {@code error_type} also
   * gives {@code null} (rolling-upgrade compatibility); with a {@code class} key the fail-closed
   * rules of {@link #read(JsonNode)} apply.
   */
  public static DynamoError readPrologueTypedError(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode cls = node.get("class");
    if (cls == null || cls.isNull()) {
      JsonNode t = node.get("error_type");
      if (t == null || t.isNull() || parseType(t) == null) {
        return null;
      }
    }
    try {
      return read(node);
    } catch (WireFormatException e) {
      return null;
    }
  }

  /**
   * The type that writes exactly this {@code class}, {@code error_type} and default reason, so
   * that {@code type()} round-trips (CannotConnect, WorkerOverloaded, CapacityExhausted); when
   * none does, the legacy type, as Dynamo keeps it.
   */
  private static ErrorType mostSpecific(ErrorType cls, JsonNode typeNode, String reason, ErrorType legacy) {
    for (ErrorType t : ErrorType.values()) {
      if (t.canonical() == cls.canonical() && t.defaultReason().equals(reason) && writesAs(t, typeNode)) {
        return t;
      }
    }
    return legacy;
  }

  private static boolean writesAs(ErrorType t, JsonNode typeNode) {
    if (t.isBackend()) {
      return typeNode.isObject() && t.backendName().equals(typeNode.path("Backend").asText(null));
    }
    return typeNode.isTextual() && t.legacyWireName().equals(typeNode.textValue());
  }

  /** Parses a class or error_type value: a bare string or {@code {"Backend":"Sub"}}. */
  static ErrorType parseType(JsonNode n) {
    if (n.isTextual()) {
      return ErrorType.fromWireName(n.textValue());
    }
    if (n.isObject() && n.size() == 1 && n.has("Backend") && n.get("Backend").isTextual()) {
      return ErrorType.fromBackendName(n.get("Backend").textValue());
    }
    return null;
  }

  private static String optionalString(JsonNode node, String field) {
    JsonNode n = node.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  private static PublicDetails readPublic(JsonNode n) {
    if (n == null || !n.isObject() || !n.path("type").isTextual()) {
      return null;
    }
    try {
      return switch (n.get("type").textValue()) {
        case "message" -> n.path("message").isTextual() ? new PublicDetails.Message(n.get("message").textValue()) : null;
        case "size_limit" -> new PublicDetails.SizeLimit(Json.u64(FORMAT, "limit", n.path("limit")), optU64(n, "actual"));
        case "context_length" -> new PublicDetails.ContextLength(Json.u64(FORMAT, "limit", n.path("limit")), optU64(n, "actual"));
        case "rate_limit" -> new PublicDetails.RateLimit(Json.u64(FORMAT, "limit", n.path("limit")), optU64(n, "remaining"));
        default -> null;
      };
    } catch (WireFormatException e) {
      return null; // malformed public details are dropped, the error itself survives
    }
  }

  private static Long optU64(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : Json.u64(FORMAT, field, v);
  }
}
