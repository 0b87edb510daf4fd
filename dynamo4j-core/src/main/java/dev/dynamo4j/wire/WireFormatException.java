package dev.dynamo4j.wire;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;

/**
 * Bytes that do not follow one of the wire formats. Every decoder in this package throws this and
 * nothing else for bad input; {@link #format()} names the format and the message says what was
 * wrong. A transport that gets this for one frame closes at most that connection.
 */
public final class WireFormatException extends DynamoException {
  private static final long serialVersionUID = 1L;

  private final String format;
  private final String detail;

  public WireFormatException(String format, String message) {
    this(format, message, null);
  }

  public WireFormatException(String format, String message, Throwable cause) {
    super(ErrorType.InvalidArgument, format + ": " + message, cause);
    this.format = format;
    this.detail = message;
  }

  /** What was wrong, without the format's name in front (the text a Dynamo peer would write). */
  public String detail() {
    return detail;
  }

  /** The wire format being decoded or encoded, for example {@code "TwoPart"}. */
  public String format() {
    return format;
  }
}
