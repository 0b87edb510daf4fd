package dev.dynamo4j.error;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The structured error Dynamo carries across processes (in a response prologue's
 * {@code typed_error}, in {@code Annotated.error}). Its JSON form is written and read by {@code
 * dev.dynamo4j.wire.DynamoErrorJson}.
 *
 * <p>{@code type} is the class the error was created with; it may be a legacy type such as {@link
 * ErrorType#WorkerOverloaded}, which is kept so that {@link #type()} round-trips, while {@link
 * #errorClass()} is always canonical. The identity ({@code class}, {@code reason}) is validated
 * the way Dynamo does it ("fail closed"): a reason that is not in the catalog, or that belongs to
 * another class, turns the error into {@code Internal / runtime.invalid_error} with its public
 * details dropped. The diagnostic text is kept in every case.
 *
 * @param type the source class (legacy or canonical)
 * @param reason the catalog key, e.g. {@code transport.disconnected}
 * @param diagnostic operator-facing text, at most {@value #MAX_DIAGNOSTIC_BYTES} UTF-8 bytes;
 *     may be {@code null}
 * @param publicDetails details safe to show to an end user; may be {@code null}
 * @param causedBy the error that caused this one; may be {@code null}
 */
public record DynamoError(
    ErrorType type,
    String reason,
    String diagnostic,
    PublicDetails publicDetails,
    DynamoError causedBy) {

  /** Longest diagnostic kept, in UTF-8 bytes; longer text is cut and marked. */
  public static final int MAX_DIAGNOSTIC_BYTES = 4096;

  static final String TRUNCATION_MARK = "...[truncated]";

  private static final Map<String, ErrorType> CATALOG =
      Map.ofEntries(
          Map.entry("runtime.unclassified", ErrorType.Internal),
          Map.entry("runtime.invalid_error", ErrorType.Internal),
          Map.entry("runtime.internal", ErrorType.Internal),
          Map.entry("backend.unknown", ErrorType.Internal),
          Map.entry("request.invalid_argument", ErrorType.InvalidRequest),
          Map.entry("backend.invalid_argument", ErrorType.InvalidRequest),
          Map.entry("request.invalid", ErrorType.InvalidRequest),
          Map.entry("transport.cannot_connect", ErrorType.Unavailable),
          Map.entry("transport.disconnected", ErrorType.Unavailable),
          Map.entry("backend.unavailable", ErrorType.Unavailable),
          Map.entry("backend.worker_unavailable", ErrorType.Unavailable),
          Map.entry("backend.cannot_connect", ErrorType.Unavailable),
          Map.entry("backend.disconnected", ErrorType.Unavailable),
          Map.entry("backend.engine_shutdown", ErrorType.Unavailable),
          Map.entry("backend.stream_incomplete", ErrorType.Unavailable),
          Map.entry("transport.connection_timeout", ErrorType.DeadlineExceeded),
          Map.entry("backend.response_timeout", ErrorType.DeadlineExceeded),
          Map.entry("backend.connection_timeout", ErrorType.DeadlineExceeded),
          Map.entry("request.deadline_exceeded", ErrorType.DeadlineExceeded),
          Map.entry("request.cancelled", ErrorType.Cancelled),
          Map.entry("backend.cancelled", ErrorType.Cancelled),
          Map.entry("capacity.pool_exhausted", ErrorType.CapacityExhausted),
          Map.entry("capacity.worker_overloaded", ErrorType.CapacityExhausted),
          Map.entry("capacity.exhausted", ErrorType.CapacityExhausted),
          Map.entry("backend.protocol", ErrorType.BackendProtocol),
          Map.entry("request.unauthenticated", ErrorType.Unauthenticated),
          Map.entry("request.permission_denied", ErrorType.PermissionDenied),
          Map.entry("request.not_found", ErrorType.NotFound),
          Map.entry("request.conflict", ErrorType.Conflict),
          Map.entry("request.payload_too_large", ErrorType.PayloadTooLarge),
          Map.entry("request.unsupported_media", ErrorType.UnsupportedMedia),
          Map.entry("request.rate_limited", ErrorType.RateLimited),
          Map.entry("runtime.not_implemented", ErrorType.NotImplemented));

  public DynamoError {
    Objects.requireNonNull(type, "type");
    if (reason == null) {
      reason = type.defaultReason();
    }
    diagnostic = truncateDiagnostic(diagnostic);
  }

  /** An error of the given type with its default reason and the given diagnostic. */
  public static DynamoError of(ErrorType type, String diagnostic) {
    return new DynamoError(type, null, diagnostic, null, null);
  }

  /** How deep {@link #from} follows a cause chain (a chain may even loop). */
  private static final int MAX_CHAIN_DEPTH = 32;

  /**
   * Dynamo's conversion of an arbitrary error ({@code impl From<&dyn Error> for DynamoError},
   * spec M2): a {@link DynamoException} gives its own structured error; any other throwable gives
   * its own message as the diagnostic (the class name when it has none), its cause converted
   * likewise as {@code caused_by}, and the identity of that cause when it is valid and not {@code
   * Internal} (class, reason and public details: the semantic head survives generic wrappers),
   * else {@code Internal} / {@code runtime.unclassified}.
   */
  public static DynamoError from(Throwable t) {
    return from(t, 0);
  }

  private static DynamoError from(Throwable t, int depth) {
    if (t instanceof DynamoException de) {
      return de.toDynamoError();
    }
    String diagnostic = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
    Throwable cause = t.getCause();
    if (cause == null || cause == t || depth >= MAX_CHAIN_DEPTH) {
      return new DynamoError(ErrorType.Internal, "runtime.unclassified", diagnostic, null, null);
    }
    DynamoError source = from(cause, depth + 1);
    if (source.identityValid() && source.errorClass() != ErrorType.Internal) {
      return new DynamoError(source.effectiveType(), source.effectiveReason(), diagnostic, source.publicDetails(), source);
    }
    return new DynamoError(ErrorType.Internal, "runtime.unclassified", diagnostic, null, source);
  }

  public DynamoError withCausedBy(DynamoError cause) {
    return new DynamoError(type, reason, diagnostic, publicDetails, cause);
  }

  public DynamoError withPublicDetails(PublicDetails details) {
    return new DynamoError(type, reason, diagnostic, details, causedBy);
  }

  /** The canonical class of this error (after fail-closed validation). */
  public ErrorType errorClass() {
    return identityValid() ? type.canonical() : ErrorType.Internal;
  }

  /** The reason key after fail-closed validation. */
  public String effectiveReason() {
    return identityValid() ? reason : "runtime.invalid_error";
  }

  /**
   * The type to report to Java callers: the source type when the identity is valid, else {@link
   * ErrorType#Internal}.
   */
  public ErrorType effectiveType() {
    return identityValid() ? type : ErrorType.Internal;
  }

  /** True when the reason is in Dynamo's catalog and belongs to this error's canonical class. */
  public boolean identityValid() {
    return isValidReasonSyntax(reason) && CATALOG.get(reason) == type.canonical();
  }

  /** The reason catalog's class for a key, or {@code null} when the key is not in it. */
  public static ErrorType catalogClass(String reason) {
    return reason == null ? null : CATALOG.get(reason);
  }

  static boolean isValidReasonSyntax(String reason) {
    if (reason == null || reason.isEmpty() || reason.length() > 128) {
      return false;
    }
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Dynamo's display form: {@code <canonical class>: <diagnostic or reason>}. */
  @Override
  public String toString() {
    return errorClass() + ": " + (diagnostic != null ? diagnostic : effectiveReason());
  }

  /** This error as an exception of its effective type. */
  public DynamoException toException() {
    return new DynamoException(
        effectiveType(), diagnostic != null ? diagnostic : effectiveReason(), null, this);
  }

  static String truncateDiagnostic(String text) {
    if (text == null) {
      return null;
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_DIAGNOSTIC_BYTES) {
      return text;
    }
    int budget = MAX_DIAGNOSTIC_BYTES - TRUNCATION_MARK.length();
    int cut = budget;
    // Step back to a UTF-8 character boundary (a byte that is not 10xxxxxx).
    while (cut > 0 && (utf8[cut] & 0xC0) == 0x80) {
      cut--;
    }
    return new String(utf8, 0, cut, StandardCharsets.UTF_8) + TRUNCATION_MARK;
  }

  /** Details that may be shown to an end user; JSON is internally tagged by {@code type}. */
  public sealed interface PublicDetails {
    /** {@code {"type":"message","message":...}} */
    record Message(String message) implements PublicDetails {}

    /** {@code {"type":"size_limit","limit":u64,"actual":u64|null}} */
    record SizeLimit(long limit, Long actual) implements PublicDetails {}

    /** {@code {"type":"context_length","limit":u64,"actual":u64|null}} */
    record ContextLength(long limit, Long actual) implements PublicDetails {}

    /** {@code {"type":"rate_limit","limit":u64,"remaining":u64|null}} */
    record RateLimit(long limit, Long remaining) implements PublicDetails {}
  }
}
