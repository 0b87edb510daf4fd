package dev.dynamo4j.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How response streams are awaited and carried: the caller's deadlines and the multiplexed
 * response path. Read from the environment once, as one value.
 *
 * <table>
 *   <caption>Environment</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code DYN_TCP_CALL_HOME_TIMEOUT_SECS}</td><td>30</td><td>ACK → the worker opens the
 *       response stream (call-home or mux); ours, Dynamo waits forever</td></tr>
 *   <tr><td>{@code DYN_TCP_PROLOGUE_TIMEOUT_SECS}</td><td>30</td><td>stream open → prologue;
 *       ours</td></tr>
 *   <tr><td>{@code DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS}</td><td>120</td><td>prologue → first item
 *       and between items (inactivity); Dynamo's name, where unset means no limit; 0 = no limit
 *       here</td></tr>
 *   <tr><td>{@code DYN_TCP_RESPONSE_MUX}</td><td>true</td><td>offer (as caller) and use (as worker)
 *       the multiplexed response path between dynamo4j processes</td></tr>
 *   <tr><td>{@code DYN_TCP_RESPONSE_MUX_CONNECTIONS}</td><td>2</td><td>persistent connections a
 *       worker keeps to each caller</td></tr>
 *   <tr><td>{@code DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES}</td><td>1048576</td><td>per-stream
 *       flow-control window on the mux (the name of Dynamo's unmerged mux, whose default was 256
 *       KiB; 1 MiB measured 40% more 4 KiB items/s on one stream here)</td></tr>
 * </table>
 *
 * <p>Seconds may have a fraction ({@code 0.5}). A malformed or negative value is an {@code
 * InvalidArgument} naming the variable.
 */
public record ResponseStreamOptions(
    Duration callHomeTimeout, Duration prologueTimeout, Duration inactivityTimeout, boolean mux, int muxConnections, int streamWindowBytes) {
  public static final ResponseStreamOptions DEFAULTS =
      new ResponseStreamOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(120), true, 2, 1024 * 1024);

  public ResponseStreamOptions {
    requirePositive("callHomeTimeout", callHomeTimeout);
    requirePositive("prologueTimeout", prologueTimeout);
    if (inactivityTimeout.isNegative()) {
      throw invalid("inactivityTimeout must not be negative");
    }
    if (muxConnections < 1 || muxConnections > 64) {
      throw invalid("DYN_TCP_RESPONSE_MUX_CONNECTIONS must be 1..64, got " + muxConnections);
    }
    if (streamWindowBytes < 1024) {
      throw invalid("DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES must be at least 1024, got " + streamWindowBytes);
    }
  }

  /** No inactivity limit when {@link #inactivityTimeout} is zero. */
  public boolean hasInactivityLimit() {
    return !inactivityTimeout.isZero();
  }

  public ResponseStreamOptions withTimeouts(Duration callHome, Duration prologue, Duration inactivity) {
    return new ResponseStreamOptions(callHome, prologue, inactivity, mux, muxConnections, streamWindowBytes);
  }

  public ResponseStreamOptions withMux(boolean enabled) {
    return new ResponseStreamOptions(callHomeTimeout, prologueTimeout, inactivityTimeout, enabled, muxConnections, streamWindowBytes);
  }

  public ResponseStreamOptions withMuxConnections(int connections, int windowBytes) {
    return new ResponseStreamOptions(callHomeTimeout, prologueTimeout, inactivityTimeout, mux, connections, windowBytes);
  }

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static ResponseStreamOptions fromEnv(Map<String, String> env, ResponseStreamOptions base) {
    Duration callHome = seconds(env, "DYN_TCP_CALL_HOME_TIMEOUT_SECS", base.callHomeTimeout, false);
    Duration prologue = seconds(env, "DYN_TCP_PROLOGUE_TIMEOUT_SECS", base.prologueTimeout, false);
    Duration inactivity = seconds(env, "DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS", base.inactivityTimeout, true);
    boolean mux = base.mux;
    String v = get(env, "DYN_TCP_RESPONSE_MUX");
    if (v != null) {
      mux = switch (v.toLowerCase(Locale.ROOT)) {
        case "1", "true", "yes", "on" -> true;
        case "0", "false", "no", "off" -> false;
        default -> throw invalid("Invalid DYN_TCP_RESPONSE_MUX value '" + v + "': expected true or false");
      };
    }
    int conns = (int) integer(env, "DYN_TCP_RESPONSE_MUX_CONNECTIONS", base.muxConnections);
    long window = integer(env, "DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES", base.streamWindowBytes);
    if (window > Integer.MAX_VALUE) {
      throw invalid("DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES must fit in 31 bits, got " + window);
    }
    return new ResponseStreamOptions(callHome, prologue, inactivity, mux, conns, (int) window);
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static Duration seconds(Map<String, String> env, String name, Duration dflt, boolean zeroAllowed) {
    String v = get(env, name);
    if (v == null) {
      return dflt;
    }
    BigDecimal s;
    try {
      s = new BigDecimal(v);
    } catch (NumberFormatException e) {
      throw invalid("Invalid " + name + " value '" + v + "': expected seconds, e.g. 30 or 0.5");
    }
    if (s.signum() < 0 || (!zeroAllowed && s.signum() == 0) || s.compareTo(BigDecimal.valueOf(86_400L * 365)) > 0) {
      throw invalid("Invalid " + name + " value '" + v + "': expected " + (zeroAllowed ? "0 (no limit) or " : "") + "a positive number of seconds up to a year");
    }
    return Duration.ofNanos(s.movePointRight(9).longValue());
  }

  private static long integer(Map<String, String> env, String name, long dflt) {
    String v = get(env, name);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw invalid("Invalid " + name + " value '" + v + "': expected an integer");
    }
  }

  private static void requirePositive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw invalid(what + " must be positive, got " + d);
    }
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
