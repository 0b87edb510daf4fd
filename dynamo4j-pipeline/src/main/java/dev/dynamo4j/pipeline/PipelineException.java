package dev.dynamo4j.pipeline;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;

/** A pipeline wiring or hand-over failure; {@link #kind()} says which (Dynamo's {@code PipelineError}). */
public final class PipelineException extends DynamoException {
  private static final long serialVersionUID = 1L;

  /** The ways a pipeline fails. */
  public enum Kind {
    /** A node emitted with no edge linked. */
    NoEdge,
    /** A node was linked twice. */
    EdgeAlreadySet,
    /** A response arrived for a request nobody is waiting for. */
    DetachedStreamReceiver,
    /** The caller stopped waiting before its response arrived. */
    DetachedStreamSender,
    /** A stage failed. */
    Generic
  }

  private final Kind kind;

  public PipelineException(Kind kind, String message) {
    this(kind, message, null);
  }

  public PipelineException(Kind kind, String message, Throwable cause) {
    super(ErrorType.Internal, kind + ": " + message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
