package dev.dynamo4j.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.time.Duration;
import java.util.Map;

/**
 * What the TCP request server holds for peers that do not finish what they send (ours; Dynamo has
 * no such limits), read once from the environment.
 *
 * @param pendingBytes {@code DYN_TCP_MAX_PENDING_BYTES} (default 256 MiB): the bytes of unfinished
 *     request frames the server holds across all its connections; a connection whose next bytes
 *     would pass it is closed with a logged reason (each connection is also capped at {@code
 *     DYN_TCP_MAX_MESSAGE_SIZE} by the frame limit)
 * @param frameTimeout {@code DYN_TCP_FRAME_TIMEOUT_SECS} (default 30): a request frame must arrive
 *     whole within this time of its first byte, else its connection is closed
 * @param idleTimeout {@code DYN_TCP_IDLE_TIMEOUT_SECS} (default 0 = never): a connection with no
 *     traffic at all for this long is closed. Off by default because callers keep pooled
 *     connections open between requests (Dynamo's do too)
 */
public record TcpServerLimits(long pendingBytes, Duration frameTimeout, Duration idleTimeout) {
  public static final TcpServerLimits DEFAULTS = new TcpServerLimits(256L * 1024 * 1024, Duration.ofSeconds(30), Duration.ZERO);

  public TcpServerLimits {
    if (pendingBytes < 1) {
      throw invalid("DYN_TCP_MAX_PENDING_BYTES must be positive, got " + pendingBytes);
    }
    if (frameTimeout == null || frameTimeout.isNegative() || frameTimeout.isZero()) {
      throw invalid("DYN_TCP_FRAME_TIMEOUT_SECS must be positive, got " + frameTimeout);
    }
    if (idleTimeout == null || idleTimeout.isNegative()) {
      throw invalid("DYN_TCP_IDLE_TIMEOUT_SECS must not be negative, got " + idleTimeout);
    }
  }

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static TcpServerLimits fromEnv(Map<String, String> env, TcpServerLimits base) {
    long pending = base.pendingBytes;
    String v = env.get("DYN_TCP_MAX_PENDING_BYTES");
    if (v != null && !v.isBlank()) {
      try {
        pending = Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        throw invalid("Invalid DYN_TCP_MAX_PENDING_BYTES value '" + v + "': expected a number of bytes");
      }
    }
    return new TcpServerLimits(pending, seconds(env, "DYN_TCP_FRAME_TIMEOUT_SECS", base.frameTimeout), seconds(env, "DYN_TCP_IDLE_TIMEOUT_SECS", base.idleTimeout));
  }

  /** A non-negative number of seconds from {@code env}, {@code fallback} when unset or blank (shared by the TCP settings of this package). */
  static Duration seconds(Map<String, String> env, String name, Duration fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      double s = Double.parseDouble(v.trim());
      if (s < 0 || Double.isNaN(s) || Double.isInfinite(s)) {
        throw new NumberFormatException();
      }
      return Duration.ofNanos((long) (s * 1e9));
    } catch (NumberFormatException e) {
      throw invalid("Invalid " + name + " value '" + v + "': expected a number of seconds");
    }
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
