package dev.dynamo4j.spi.kv;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;

/** A key-value store failure; {@link #kind()} is Dynamo's {@code StoreError} variant. */
public final class StoreException extends DynamoException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    MissingBucket,
    MissingKey,
    /** The value changed since it was read; read again and retry. */
    Retry,
    FilesystemError,
    ProviderError,
    WatchCancelled
  }

  private final Kind kind;

  public StoreException(Kind kind, String message) {
    this(kind, message, null);
  }

  public StoreException(Kind kind, String message, Throwable cause) {
    super(
        switch (kind) {
          case MissingBucket, MissingKey -> ErrorType.NotFound;
          case Retry -> ErrorType.Conflict;
          case WatchCancelled -> ErrorType.Cancelled;
          case FilesystemError, ProviderError -> ErrorType.Unavailable;
        },
        kind + ": " + message,
        cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
