package dev.dynamo4j.spi.config;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.time.Duration;
import java.util.List;
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

  private static final Setting.Declarer CORE = Setting.oursIn("dynamo4j-core");
  public static final Setting<Long> PENDING_BYTES = CORE.integer("DYN_TCP_MAX_PENDING_BYTES", 256L * 1024 * 1024, "268435456 (256 MiB)", 1, Long.MAX_VALUE,
      "Bytes of unfinished request frames a TCP worker holds across all its connections; a connection that would pass it is closed with a logged reason.");
  public static final Setting<Duration> FRAME_TIMEOUT = CORE.seconds("DYN_TCP_FRAME_TIMEOUT_SECS", Duration.ofSeconds(30), false,
      "A request frame (and a response frame on a caller's listener) must arrive whole within this time of its first byte, else its connection is closed.");
  public static final Setting<Duration> IDLE_TIMEOUT = CORE.seconds("DYN_TCP_IDLE_TIMEOUT_SECS", Duration.ZERO, true,
      "Closes a request connection with no traffic for this long; 0 = never (callers keep pooled connections open between requests).");

  /** Every variable of this record. */
  public static final List<Setting<?>> SETTINGS = List.of(PENDING_BYTES, FRAME_TIMEOUT, IDLE_TIMEOUT);

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static TcpServerLimits fromEnv(Map<String, String> env, TcpServerLimits base) {
    return new TcpServerLimits(PENDING_BYTES.read(env, base.pendingBytes), FRAME_TIMEOUT.read(env, base.frameTimeout), IDLE_TIMEOUT.read(env, base.idleTimeout));
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
