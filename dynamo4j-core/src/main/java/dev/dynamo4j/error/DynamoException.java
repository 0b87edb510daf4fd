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
   * @param remote the structured error received from another process, when this exception
   *     reports one (kept so it can be forwarded unchanged); may be {@code null}
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

  /** The structured error this exception was built from, if it came from another process. */
  public DynamoError remoteError() {
    return remote;
  }

  /** This exception as the structured error Dynamo puts on the wire. */
  public DynamoError toDynamoError() {
    if (remote != null) {
      return remote;
    }
    DynamoError cause =
        getCause() instanceof DynamoException de ? de.toDynamoError() : null;
    return DynamoError.of(type, getMessage()).withCausedBy(cause);
  }

  /** Wraps any throwable; a {@code DynamoException} is returned as it is. */
  public static DynamoException wrap(Throwable t) {
    if (t instanceof DynamoException de) {
      return de;
    }
    return new DynamoException(ErrorType.Internal, String.valueOf(t), t);
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
