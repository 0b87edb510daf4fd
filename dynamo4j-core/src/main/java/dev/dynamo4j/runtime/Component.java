package dev.dynamo4j.runtime;

import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.wire.Slug;
import java.util.Comparator;
import java.util.List;

/** A component of a namespace: a group of endpoints served together. */
public final class Component {
  private final Namespace namespace;
  private final String name;

  Component(Namespace namespace, String name) {
    this.namespace = namespace;
    this.name = Names.validate("component", name);
  }

  public Namespace namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  /** The NATS service name: {@code slugify("<ns>_<comp>")}. */
  public String serviceName() {
    return Slug.slugify(namespace.name() + "_" + name);
  }

  public Endpoint endpoint(String endpointName) {
    return new Endpoint(this, endpointName);
  }

  /** The endpoint instances registered under this component, sorted by their display string. */
  public List<Instance> listInstances() {
    return namespace.runtime().discovery().list(new DiscoveryQuery.ComponentEndpoints(namespace.name(), name)).stream()
        .filter(i -> i instanceof DiscoveryInstance.Endpoint)
        .map(i -> ((DiscoveryInstance.Endpoint) i).instance())
        .sorted(Comparator.comparing(Instance::toString))
        .toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Component c && c.namespace.equals(namespace) && c.name.equals(name);
  }

  @Override
  public int hashCode() {
    return namespace.hashCode() * 31 + name.hashCode();
  }

  /** {@code <ns>.<comp>} */
  @Override
  public String toString() {
    return namespace.name() + "." + name;
  }
}
