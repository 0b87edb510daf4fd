package dev.dynamo4j.error;

import java.util.Locale;

/**
 * The error vocabulary shared with Dynamo (its {@code ErrorType}, now an alias of {@code ErrorClass}).
 *
 * <p>Three families, spelled exactly as on the wire:
 *
 * <ul>
 *   <li>legacy types ({@code CannotConnect}, {@code WorkerOverloaded}, ...), still written in the
 *       {@code error_type} field and still the most precise description of transport faults;
 *   <li>canonical classes ({@code InvalidRequest}, {@code Unavailable}, {@code DeadlineExceeded},
 *       ...), written in the {@code class} field;
 *   <li>the backend family, written on the wire as {@code {"Backend":"EngineShutdown"}} and shown
 *       by {@link #toString()} without a dot ({@code BackendEngineShutdown}).
 * </ul>
 *
 * {@link #canonical()} applies Dynamo's normalisation (legacy to canonical), {@link
 * #defaultReason()} its default reason key, and {@link #legacyWireName()} the value Dynamo writes
 * in {@code error_type}.
 */
public enum ErrorType {
  // Legacy types.
  InvalidArgument,
  CannotConnect,
  Disconnected,
  ConnectionTimeout,
  ResponseTimeout,
  Cancelled,
  ResourceExhausted,
  WorkerOverloaded,
  Unavailable,
  WorkerUnavailable,
  Unknown,
  // Canonical classes (Cancelled and Unavailable above are canonical too).
  InvalidRequest,
  Unauthenticated,
  PermissionDenied,
  NotFound,
  Conflict,
  PayloadTooLarge,
  UnsupportedMedia,
  RateLimited,
  CapacityExhausted,
  BackendProtocol,
  DeadlineExceeded,
  NotImplemented,
  Internal,
  // Backend family: Backend(<sub>).
  BackendUnknown,
  BackendInvalidArgument,
  BackendCannotConnect,
  BackendDisconnected,
  BackendConnectionTimeout,
  BackendResponseTimeout,
  BackendCancelled,
  BackendEngineShutdown,
  BackendStreamIncomplete;

  /** True for the {@code Backend(...)} family. */
  public boolean isBackend() {
    return ordinal() >= BackendUnknown.ordinal();
  }

  /** For a backend type, the sub-variant name as written inside {@code {"Backend": ...}}. */
  public String backendName() {
    if (!isBackend()) {
      throw new IllegalStateException(this + " is not a Backend error type");
    }
    return name().substring("Backend".length());
  }

  /** True when this value is one of Dynamo's canonical classes. */
  public boolean isCanonical() {
    return switch (this) {
      case InvalidRequest, Unauthenticated, PermissionDenied, NotFound, Conflict, PayloadTooLarge,
          UnsupportedMedia, RateLimited, CapacityExhausted, BackendProtocol, DeadlineExceeded,
          NotImplemented, Internal, Cancelled, Unavailable -> true;
      default -> false;
    };
  }

  /** Dynamo's normalisation of this type to its canonical class. */
  public ErrorType canonical() {
    return switch (this) {
      case Unknown, BackendUnknown -> Internal;
      case InvalidArgument, BackendInvalidArgument -> InvalidRequest;
      case CannotConnect, Disconnected, WorkerUnavailable, BackendCannotConnect,
          BackendDisconnected, BackendEngineShutdown, BackendStreamIncomplete -> Unavailable;
      case ConnectionTimeout, ResponseTimeout, BackendConnectionTimeout, BackendResponseTimeout ->
          DeadlineExceeded;
      case ResourceExhausted, WorkerOverloaded -> CapacityExhausted;
      case BackendCancelled -> Cancelled;
      default -> this;
    };
  }

  /** The reason key Dynamo uses for this type when none is given. */
  public String defaultReason() {
    if (isBackend()) {
      return "backend." + snake(backendName());
    }
    return switch (this) {
      case Unknown -> "runtime.unclassified";
      case InvalidArgument -> "request.invalid_argument";
      case CannotConnect -> "transport.cannot_connect";
      case Disconnected -> "transport.disconnected";
      case ConnectionTimeout -> "transport.connection_timeout";
      case ResponseTimeout -> "backend.response_timeout";
      case Cancelled -> "request.cancelled";
      case ResourceExhausted -> "capacity.pool_exhausted";
      case WorkerOverloaded -> "capacity.worker_overloaded";
      case Unavailable -> "backend.unavailable";
      case WorkerUnavailable -> "backend.worker_unavailable";
      case InvalidRequest -> "request.invalid";
      case CapacityExhausted -> "capacity.exhausted";
      case DeadlineExceeded -> "request.deadline_exceeded";
      case Internal -> "runtime.internal";
      case BackendProtocol -> "backend.protocol";
      case Unauthenticated -> "request.unauthenticated";
      case PermissionDenied -> "request.permission_denied";
      case NotFound -> "request.not_found";
      case Conflict -> "request.conflict";
      case PayloadTooLarge -> "request.payload_too_large";
      case UnsupportedMedia -> "request.unsupported_media";
      case RateLimited -> "request.rate_limited";
      case NotImplemented -> "runtime.not_implemented";
      default -> throw new AssertionError(this);
    };
  }

  /**
   * The legacy name Dynamo writes in the {@code error_type} field for this type. For the backend
   * family the wire form is an object; this method returns {@code null} for those and callers use
   * {@link #backendName()}.
   */
  public String legacyWireName() {
    if (isBackend()) {
      return null;
    }
    return switch (this) {
      case Unknown, Internal, Unauthenticated, PermissionDenied, NotFound, Conflict,
          BackendProtocol, NotImplemented -> "Unknown";
      case InvalidArgument, InvalidRequest, PayloadTooLarge, UnsupportedMedia -> "InvalidArgument";
      case ResponseTimeout, DeadlineExceeded -> "ResponseTimeout";
      case ResourceExhausted, WorkerOverloaded, CapacityExhausted, RateLimited ->
          "ResourceExhausted";
      default -> name();
    };
  }

  /**
   * True for the faults that make a router stop sending to an instance until the next
   * reconcile (Dynamo's {@code report_instance_down} set).
   */
  public boolean isInstanceFault() {
    return switch (this) {
      case CannotConnect, Disconnected, ConnectionTimeout, ResponseTimeout, BackendEngineShutdown,
          BackendStreamIncomplete, WorkerUnavailable -> true;
      default -> false;
    };
  }

  /** The non-backend type with this exact wire name, or {@code null}. */
  public static ErrorType fromWireName(String name) {
    if (name == null || name.startsWith("Backend") && !name.equals("BackendProtocol")) {
      return null;
    }
    for (ErrorType t : values()) {
      if (!t.isBackend() && t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The backend type for a sub-variant name ({@code "EngineShutdown"}), or {@code null}. */
  public static ErrorType fromBackendName(String sub) {
    if (sub == null) {
      return null;
    }
    for (ErrorType t : values()) {
      if (t.isBackend() && t.backendName().equals(sub)) {
        return t;
      }
    }
    return null;
  }

  private static String snake(String camel) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        sb.append('_');
      }
      sb.append(Character.toLowerCase(c));
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
