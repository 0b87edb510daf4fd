package dev.dynamo4j.discovery;

import dev.dynamo4j.runtime.Instance;

/**
 * What to list or watch. Endpoint queries narrow from all endpoints to one endpoint; the key
 * prefix of each is {@code ns[/comp[/ep]]} with path-boundary matching.
 */
public sealed interface DiscoveryQuery {
  /** True when an endpoint with these names falls under this query. */
  boolean matches(String namespace, String component, String endpoint);

  /** True when the endpoint instance falls under this query. */
  default boolean matches(Instance i) {
    return matches(i.namespace(), i.component(), i.endpoint());
  }

  record AllEndpoints() implements DiscoveryQuery {
    public boolean matches(String ns, String comp, String ep) {
      return true;
    }
  }

  record NamespacedEndpoints(String namespace) implements DiscoveryQuery {
    public boolean matches(String ns, String comp, String ep) {
      return ns.equals(namespace);
    }
  }

  record ComponentEndpoints(String namespace, String component) implements DiscoveryQuery {
    public boolean matches(String ns, String comp, String ep) {
      return ns.equals(namespace) && comp.equals(component);
    }
  }

  record Endpoint(String namespace, String component, String endpoint) implements DiscoveryQuery {
    public boolean matches(String ns, String comp, String ep) {
      return ns.equals(namespace) && comp.equals(component) && ep.equals(endpoint);
    }
  }
}
