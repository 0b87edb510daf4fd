package dev.dynamo4j.discovery;

/** The identity of a registered record; its {@link #toPath()} is the key inside its bucket. */
public sealed interface DiscoveryInstanceId {
  /** The key relative to the bucket. */
  String toPath();

  long instanceId();

  /** {@code ns/comp/ep/<id hex>} */
  record Endpoint(String namespace, String component, String endpoint, long instanceId) implements DiscoveryInstanceId {
    public String toPath() {
      return namespace + "/" + component + "/" + endpoint + "/" + Long.toHexString(instanceId);
    }
  }
}
