package dev.dynamo4j.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the system status server besides its address ({@code DYN_SYSTEM_HOST} / {@code
 * DYN_SYSTEM_PORT} live in {@link dev.dynamo4j.runtime.RuntimeConfig}), read once from the
 * environment with Dynamo's names and defaults.
 *
 * @param healthPath {@code DYN_SYSTEM_HEALTH_PATH}, default {@code /health}
 * @param livePath {@code DYN_SYSTEM_LIVE_PATH}, default {@code /live}
 * @param startingReady {@code DYN_SYSTEM_STARTING_HEALTH_STATUS} ({@code ready} or {@code
 *     notready}, the default): the process-level status before anything is served
 * @param canariesEnabled {@code DYN_HEALTH_CHECK_ENABLED} ({@code true}/{@code false}, default
 *     false): canary health checks of the endpoints that have a payload
 * @param canaryWait {@code DYN_CANARY_WAIT_TIME} (seconds, default 10): the quiet period after
 *     which an endpoint is checked; any request it completes meanwhile starts the period again
 * @param canaryTimeout {@code DYN_HEALTH_CHECK_REQUEST_TIMEOUT} (seconds, default 3): how long a
 *     canary may take to produce its first item
 * @param canaryPayload {@code DYN_HEALTH_CHECK_PAYLOAD} (JSON): the canary request of every
 *     endpoint that has none of its own ({@code Endpoint.healthCheckPayload}); null for none
 */
public record SystemStatusOptions(
    String healthPath,
    String livePath,
    boolean startingReady,
    boolean canariesEnabled,
    Duration canaryWait,
    Duration canaryTimeout,
    JsonNode canaryPayload) {
  public static final SystemStatusOptions DEFAULTS =
      new SystemStatusOptions("/health", "/live", false, false, Duration.ofSeconds(10), Duration.ofSeconds(3), null);

  public SystemStatusOptions {
    checkPath("DYN_SYSTEM_HEALTH_PATH", healthPath);
    checkPath("DYN_SYSTEM_LIVE_PATH", livePath);
    if (canaryWait == null || canaryWait.isNegative() || canaryWait.isZero()) {
      throw new DynamoException(ErrorType.InvalidArgument, "DYN_CANARY_WAIT_TIME must be positive, got " + canaryWait);
    }
    if (canaryTimeout == null || canaryTimeout.isNegative() || canaryTimeout.isZero()) {
      throw new DynamoException(ErrorType.InvalidArgument, "DYN_HEALTH_CHECK_REQUEST_TIMEOUT must be positive, got " + canaryTimeout);
    }
  }

  public SystemStatusOptions(String healthPath, String livePath, boolean startingReady) {
    this(healthPath, livePath, startingReady, DEFAULTS.canariesEnabled, DEFAULTS.canaryWait, DEFAULTS.canaryTimeout, DEFAULTS.canaryPayload);
  }

  /** These options with canary health checks on (or off), every quiet {@code wait}, bounded by {@code timeout}. */
  public SystemStatusOptions withCanaries(boolean enabled, Duration wait, Duration timeout, JsonNode payload) {
    return new SystemStatusOptions(healthPath, livePath, startingReady, enabled, wait, timeout, payload);
  }

  private static void checkPath(String name, String path) {
    if (path == null || !path.startsWith("/") || path.contains(" ")) {
      throw new DynamoException(ErrorType.InvalidArgument, "Invalid " + name + " value '" + path + "': expected a path starting with /");
    }
  }

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static SystemStatusOptions fromEnv(Map<String, String> env, SystemStatusOptions base) {
    String health = trimmed(env, "DYN_SYSTEM_HEALTH_PATH");
    String live = trimmed(env, "DYN_SYSTEM_LIVE_PATH");
    String starting = trimmed(env, "DYN_SYSTEM_STARTING_HEALTH_STATUS");
    boolean ready = base.startingReady;
    if (starting != null) {
      ready = switch (starting.toLowerCase(Locale.ROOT)) {
        case "ready" -> true;
        case "notready" -> false;
        default -> throw new DynamoException(ErrorType.InvalidArgument,
            "Invalid DYN_SYSTEM_STARTING_HEALTH_STATUS value '" + starting + "': expected ready or notready");
      };
    }
    boolean canaries = base.canariesEnabled;
    String enabled = trimmed(env, "DYN_HEALTH_CHECK_ENABLED");
    if (enabled != null) {
      canaries = switch (enabled.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes", "on" -> true;
        case "false", "0", "no", "off" -> false;
        default -> throw new DynamoException(ErrorType.InvalidArgument, "Invalid DYN_HEALTH_CHECK_ENABLED value '" + enabled + "': expected true or false");
      };
    }
    Duration wait = seconds(env, "DYN_CANARY_WAIT_TIME", base.canaryWait);
    Duration timeout = seconds(env, "DYN_HEALTH_CHECK_REQUEST_TIMEOUT", base.canaryTimeout);
    JsonNode payload = base.canaryPayload;
    String p = trimmed(env, "DYN_HEALTH_CHECK_PAYLOAD");
    if (p != null) {
      try {
        payload = Json.parse("DYN_HEALTH_CHECK_PAYLOAD", p.getBytes(StandardCharsets.UTF_8));
      } catch (DynamoException e) {
        throw new DynamoException(ErrorType.InvalidArgument, "Invalid DYN_HEALTH_CHECK_PAYLOAD: " + e.getMessage(), e);
      }
    }
    return new SystemStatusOptions(health != null ? health : base.healthPath, live != null ? live : base.livePath, ready,
        canaries, wait, timeout, payload);
  }

  private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
    String v = trimmed(env, name);
    if (v == null) {
      return fallback;
    }
    try {
      double s = Double.parseDouble(v);
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new NumberFormatException();
      }
      return Duration.ofNanos((long) (s * 1e9));
    } catch (NumberFormatException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "Invalid " + name + " value '" + v + "': expected a positive number of seconds");
    }
  }

  private static String trimmed(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
