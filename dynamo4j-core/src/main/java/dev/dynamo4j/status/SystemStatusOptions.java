package dev.dynamo4j.status;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
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
 */
public record SystemStatusOptions(String healthPath, String livePath, boolean startingReady) {
  public static final SystemStatusOptions DEFAULTS = new SystemStatusOptions("/health", "/live", false);

  public SystemStatusOptions {
    checkPath("DYN_SYSTEM_HEALTH_PATH", healthPath);
    checkPath("DYN_SYSTEM_LIVE_PATH", livePath);
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
      ready = switch (starting.toLowerCase(java.util.Locale.ROOT)) {
        case "ready" -> true;
        case "notready" -> false;
        default -> throw new DynamoException(ErrorType.InvalidArgument,
            "Invalid DYN_SYSTEM_STARTING_HEALTH_STATUS value '" + starting + "': expected ready or notready");
      };
    }
    return new SystemStatusOptions(health != null ? health : base.healthPath, live != null ? live : base.livePath, ready);
  }

  private static String trimmed(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
