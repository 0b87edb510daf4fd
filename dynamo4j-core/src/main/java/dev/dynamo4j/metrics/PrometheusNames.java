package dev.dynamo4j.metrics;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.util.Map;
import java.util.Set;

/**
 * Dynamo's metric naming rules ({@code metrics/prometheus_names.rs}, spec §5.1 and R7): every
 * component metric is {@code dynamo_component_<name>}; the automatic labels {@code
 * dynamo_namespace}, {@code dynamo_component}, {@code dynamo_endpoint} and {@code worker_id} carry
 * sanitised values; user labels may not use those keys.
 */
final class PrometheusNames {
  private PrometheusNames() {}

  /** The prefix of every component-scoped metric. */
  public static final String COMPONENT_PREFIX = "dynamo_component";
  /** The prefix of the metrics dynamo4j adds beyond Dynamo's, in the same style. */
  public static final String DYNAMO4J_PREFIX = "dynamo4j";

  public static final String NAMESPACE_LABEL = "dynamo_namespace";
  public static final String COMPONENT_LABEL = "dynamo_component";
  public static final String ENDPOINT_LABEL = "dynamo_endpoint";
  public static final String WORKER_ID_LABEL = "worker_id";

  /** Keys the hierarchy adds itself; a user label with one of them is refused. */
  public static final Set<String> AUTO_LABELS = Set.of(NAMESPACE_LABEL, COMPONENT_LABEL, ENDPOINT_LABEL, WORKER_ID_LABEL);

  /**
   * A metric name as {@code sanitize_prometheus_name} makes it: characters outside {@code
   * [a-zA-Z0-9_:]} become {@code _}, a name starting with a digit gets a leading {@code _}.
   *
   * @throws DynamoException ({@code InvalidArgument}) for an empty name or one that is nothing
   *     but underscores afterwards
   */
  public static String sanitizeName(String raw) {
    return scrub(raw, true, "name");
  }

  /**
   * A label name, or an automatic label's value, as {@code sanitize_prometheus_label} makes it:
   * characters outside {@code [a-zA-Z0-9_]} become {@code _}; a leading digit gets a leading
   * {@code _}; a leading {@code __} (reserved by Prometheus) is removed, and {@code _} put back
   * when what is left does not start with a letter.
   *
   * @throws DynamoException ({@code InvalidArgument}) for an empty input or one that is nothing
   *     but underscores afterwards
   */
  public static String sanitizeLabel(String raw) {
    return scrub(raw, false, "label");
  }

  /**
   * Characters outside {@code [a-zA-Z0-9_]} (and {@code :} for names) become {@code _}; a leading
   * digit gets a leading {@code _}; for labels a leading {@code __} is removed and {@code _} put
   * back when what is left does not start with a letter.
   */
  private static String scrub(String raw, boolean colonAllowed, String what) {
    if (raw == null || raw.isEmpty()) {
      throw new DynamoException(ErrorType.InvalidArgument, "Cannot sanitize empty string into valid Prometheus " + what);
    }
    StringBuilder b = new StringBuilder(raw.length() + 1);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (colonAllowed && c == ':');
      b.append(ok ? c : '_');
    }
    if (Character.isDigit(b.charAt(0))) {
      b.insert(0, '_');
    }
    String s = b.toString();
    if (!colonAllowed && s.startsWith("__")) {
      s = s.substring(2);
      if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
        s = "_" + s;
      }
    }
    if (s.chars().allMatch(c -> c == '_')) {
      throw new DynamoException(ErrorType.InvalidArgument,
          "Input '" + raw + "' contains only invalid characters and cannot be sanitized into a valid Prometheus " + what);
    }
    return s;
  }

  /** An automatic label's value: sanitised, or {@code null} (the label is left out) when empty. */
  public static String autoLabelValue(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return sanitizeLabel(raw);
    } catch (DynamoException e) {
      return null;
    }
  }

  /**
   * Checks user labels as Dynamo does: none may be an automatic label.
   *
   * @throws DynamoException ({@code InvalidArgument}) naming the offending key
   */
  public static void checkUserLabels(Map<String, String> labels) {
    for (String key : labels.keySet()) {
      if (AUTO_LABELS.contains(key)) {
        throw new DynamoException(ErrorType.InvalidArgument,
            "Label '" + key + "' is automatically added by auto-label injection and cannot be set by the user");
      }
    }
  }

  /** {@code worker_id}: the instance id in lower-case hex, unpadded. */
  public static String workerId(long instanceId) {
    return Long.toHexString(instanceId);
  }
}
