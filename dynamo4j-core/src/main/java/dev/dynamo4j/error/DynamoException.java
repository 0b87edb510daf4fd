package dev.dynamo4j.error;

/**
 * The root of every error dynamo4j raises. It carries an {@link ErrorType} from the wire
 * vocabulary, so callers can branch on what went wrong (for example retry on {@link
 * ErrorType#WorkerOverloaded}, fail over on {@link ErrorType#Disconnected}) and so the error can
 * travel to another process as a {@link DynamoError}.
 *
 * <p>Unchecked, like grpc-java's {@code StatusRuntimeException}: a network call can fail in
 * many ways and callers handle the ones they care about.
 */
public class DynamoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorType type;
  private final transient DynamoError remote;

  public DynamoException(ErrorType type, String message) {
    this(type, message, null, null);
  }

  public DynamoException(ErrorType type, String message, Throwable cause) {
    this(type, message, cause, null);
  }

  /**
   * @param remote the structured error this exception reports, kept so it is forwarded unchanged:
   *     one received from another process, or the conversion of a non-Dynamo exception by {@link
   *     #wrap}; may be {@code null}
   */
  public DynamoException(ErrorType type, String message, Throwable cause, DynamoError remote) {
    super(message, cause);
    this.type = type == null ? ErrorType.Unknown : type;
    this.remote = remote;
  }

  /** What kind of failure this is. */
  public ErrorType type() {
    return type;
  }

  /**
   * The structured error this exception was built from: one that came from another process, or
   * the conversion {@link #wrap} made of a non-Dynamo exception; {@code null} otherwise.
   */
  public DynamoError remoteError() {
    return remote;
  }

  /**
   * This exception as the structured error Dynamo puts on the wire: its type with that type's
   * default reason and its message, and its cause (of any kind, converted as {@link
   * DynamoError#from} does) as {@code caused_by}, as Dynamo's builder {@code .cause(..)} keeps it.
   */
  public DynamoError toDynamoError() {
    if (remote != null) {
      return remote;
    }
    DynamoError cause = getCause() == null ? null : DynamoError.from(getCause());
    return DynamoError.of(type, getMessage()).withCausedBy(cause);
  }

  /**
   * Converts any throwable the way Dynamo converts an arbitrary error ({@code error.rs}, spec M2):
   * a {@code DynamoException} is returned as it is; anything else becomes an exception whose
   * message is the throwable's own message (no class-name prefix) and whose identity is the
   * semantic head of its cause chain: the class and reason of the first typed, non-{@code
   * Internal} Dynamo error under it, else {@code Internal} / {@code runtime.unclassified}. The
   * converted chain travels as {@code caused_by}; the throwable stays this exception's cause.
   */
  public static DynamoException wrap(Throwable t) {
    if (t instanceof DynamoException de) {
      return de;
    }
    DynamoError converted = DynamoError.from(t);
    return new DynamoException(converted.effectiveType(), converted.diagnostic(), t, converted);
  }

  /** True when this error, or one in its cause chain, is a fault that inhibits an instance. */
  public boolean isInstanceFault() {
    for (Throwable t = this; t != null; t = t.getCause()) {
      if (t instanceof DynamoException de) {
        if (de.type.isInstanceFault()) {
          return true;
        }
        for (DynamoError e = de.remote; e != null; e = e.causedBy()) {
          if (e.type().isInstanceFault()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return type + ": " + getMessage();
  }
}
