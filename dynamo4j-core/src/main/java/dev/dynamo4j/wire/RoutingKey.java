package dev.dynamo4j.wire;

/**
 * The TCP request plane's routing key of an endpoint instance (Dynamo {@code instance_path},
 * 2026): {@code <instance id hex>/<namespace>/<component>/<endpoint>}, where each name segment
 * has {@code %} replaced by {@code %25} and then {@code /} by {@code %2F}, and nothing else is
 * escaped. This is not the event-plane {@code %XX} encoding.
 *
 * <p>Callers never parse keys: they forward whatever follows the first {@code /} of a worker's
 * address, so workers advertising Dynamo's older forms ({@code <endpoint>}, {@code
 * <id hex>/<endpoint>}) are reached too.
 */
public final class RoutingKey {
  private RoutingKey() {}

  public static String instancePath(long instanceId, String namespace, String component, String endpoint) {
    return Long.toHexString(instanceId) + "/" + escape(namespace) + "/" + escape(component) + "/" + escape(endpoint);
  }

  static String escape(String segment) {
    return segment.replace("%", "%25").replace("/", "%2F");
  }

  /**
   * Splits a TCP transport address {@code [tcp://]host:port/<key>} into its socket part and the
   * routing key, which is everything after the first {@code /}.
   */
  public static String[] splitAddress(String address) {
    String a = address.startsWith("tcp://") ? address.substring("tcp://".length()) : address;
    int slash = a.indexOf('/');
    if (slash <= 0 || slash == a.length() - 1) {
      throw new WireFormatException("TcpAddress", "address '" + address + "' has no host:port/<path> form");
    }
    return new String[] {a.substring(0, slash), a.substring(slash + 1)};
  }
}
