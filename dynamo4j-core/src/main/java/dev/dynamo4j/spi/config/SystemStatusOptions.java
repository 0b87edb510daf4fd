package dev.dynamo4j.spi.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the system status server besides its address ({@code DYN_SYSTEM_HOST} / {@code
 * DYN_SYSTEM_PORT} live in {@link dev.dynamo4j.config.RuntimeConfig}), read once from the
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

  private static final Setting.Declarer CORE = Setting.in("dynamo4j-core");
  public static final Setting<String> HEALTH_PATH = CORE.text("DYN_SYSTEM_HEALTH_PATH", "/health", "Path of the status server's health endpoint.");
  public static final Setting<String> LIVE_PATH = CORE.text("DYN_SYSTEM_LIVE_PATH", "/live", "Path of the status server's liveness endpoint.");
  public static final Setting<Boolean> STARTING_READY = CORE.custom("DYN_SYSTEM_STARTING_HEALTH_STATUS", false, "notready",
      "What /health says before the endpoints are up: ready or notready.", v -> switch (v.toLowerCase(Locale.ROOT)) {
        case "ready" -> true;
        case "notready" -> false;
        default -> throw new IllegalArgumentException("expected ready or notready");
      });
  public static final Setting<Boolean> CANARIES = CORE.flag("DYN_HEALTH_CHECK_ENABLED", false,
      "Send canary health-check requests to this process's own endpoints when they have been idle.");
  public static final Setting<Duration> CANARY_WAIT = CORE.seconds("DYN_CANARY_WAIT_TIME", Duration.ofSeconds(10), false,
      "Idle time of an endpoint before a canary request is sent to it.");
  public static final Setting<Duration> CANARY_TIMEOUT = CORE.seconds("DYN_HEALTH_CHECK_REQUEST_TIMEOUT", Duration.ofSeconds(3), false,
      "How long a canary request may take before the endpoint counts as unhealthy.");
  public static final Setting<JsonNode> CANARY_PAYLOAD = CORE.custom("DYN_HEALTH_CHECK_PAYLOAD", null, "(the endpoint's own, or none)",
      "JSON request body of every canary request.", v -> {
        try {
          return Json.parse("DYN_HEALTH_CHECK_PAYLOAD", v.getBytes(StandardCharsets.UTF_8));
        } catch (DynamoException e) {
          throw new IllegalArgumentException("expected JSON: " + e.getMessage(), e);
        }
      });

  /** Every variable of this record. */
  public static final List<Setting<?>> SETTINGS = List.of(HEALTH_PATH, LIVE_PATH, STARTING_READY, CANARIES, CANARY_WAIT, CANARY_TIMEOUT, CANARY_PAYLOAD);

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static SystemStatusOptions fromEnv(Map<String, String> env, SystemStatusOptions base) {
    return new SystemStatusOptions(HEALTH_PATH.read(env, base.healthPath), LIVE_PATH.read(env, base.livePath), STARTING_READY.read(env, base.startingReady),
        CANARIES.read(env, base.canariesEnabled), CANARY_WAIT.read(env, base.canaryWait), CANARY_TIMEOUT.read(env, base.canaryTimeout),
        CANARY_PAYLOAD.read(env, base.canaryPayload));
  }
}
