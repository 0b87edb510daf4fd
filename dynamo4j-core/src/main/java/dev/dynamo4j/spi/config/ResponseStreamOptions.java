package dev.dynamo4j.spi.config;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How response streams are awaited and carried: the caller's deadlines and the multiplexed
 * response path. Read from the environment once, as one value; the variables are the {@link
 * Setting}s below ({@code ./dynamo4j settings} lists them). A malformed or out-of-range value is
 * an {@code InvalidArgument} naming the variable.
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

  private static final Setting.Declarer CORE = Setting.in("dynamo4j-core");
  public static final Setting<Duration> CALL_HOME_TIMEOUT = CORE.ours().seconds("DYN_TCP_CALL_HOME_TIMEOUT_SECS", Duration.ofSeconds(30), false,
      "How long a caller waits, after the ACK, for the worker to open the response stream (call-home or mux); Dynamo waits forever.");
  public static final Setting<Duration> PROLOGUE_TIMEOUT = CORE.ours().seconds("DYN_TCP_PROLOGUE_TIMEOUT_SECS", Duration.ofSeconds(30), false,
      "How long a caller waits for the stream's prologue once it is open.");
  public static final Setting<Duration> INACTIVITY_TIMEOUT = CORE.seconds("DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS", Duration.ofSeconds(120), true,
      "Longest wait for the first item after the prologue and between items; 0 = no limit (Dynamo: unset = no limit).");
  public static final Setting<Boolean> MUX = CORE.ours().flag("DYN_TCP_RESPONSE_MUX", true,
      "Offer (as a caller) and use (as a worker) the multiplexed response path between dynamo4j processes; false = call-home only.");
  public static final Setting<Long> MUX_CONNECTIONS = CORE.ours().integer("DYN_TCP_RESPONSE_MUX_CONNECTIONS", 2, 1, 64,
      "Persistent multiplexed connections a worker keeps to each caller.");
  public static final Setting<Long> STREAM_WINDOW_BYTES = CORE.integer("DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES", 1024 * 1024, 1024, Integer.MAX_VALUE,
      "Flow-control window of one response stream on the mux and on the ZMQ response path (the name of Dynamo's unmerged mux, default 256 KiB there; "
          + "1 MiB measured 40% more 4 KiB items/s on one stream here).");

  /** Every variable of this record. */
  public static final List<Setting<?>> SETTINGS = List.of(CALL_HOME_TIMEOUT, PROLOGUE_TIMEOUT, INACTIVITY_TIMEOUT, MUX, MUX_CONNECTIONS, STREAM_WINDOW_BYTES);

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static ResponseStreamOptions fromEnv(Map<String, String> env, ResponseStreamOptions base) {
    return new ResponseStreamOptions(
        CALL_HOME_TIMEOUT.read(env, base.callHomeTimeout),
        PROLOGUE_TIMEOUT.read(env, base.prologueTimeout),
        INACTIVITY_TIMEOUT.read(env, base.inactivityTimeout),
        MUX.read(env, base.mux),
        MUX_CONNECTIONS.read(env, (long) base.muxConnections).intValue(),
        STREAM_WINDOW_BYTES.read(env, (long) base.streamWindowBytes).intValue());
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
