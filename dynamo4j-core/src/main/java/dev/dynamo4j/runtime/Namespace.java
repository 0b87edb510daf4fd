package dev.dynamo4j.runtime;

/** A namespace; its {@link #name()} is the full dotted path of nested namespaces. */
public final class Namespace {
  private final DistributedRuntime runtime;
  private final String name;

  Namespace(DistributedRuntime runtime, Namespace parent, String ownName) {
    Names.validate("namespace", ownName);
    this.runtime = runtime;
    this.name = parent == null ? ownName : parent.name + "." + ownName;
  }

  /** The full dotted name, e.g. {@code ns1.ns2.ns3}. */
  public String name() {
    return name;
  }

  public DistributedRuntime runtime() {
    return runtime;
  }

  /** A nested namespace. */
  public Namespace namespace(String child) {
    return new Namespace(runtime, this, child);
  }

  public Component component(String componentName) {
    return new Component(this, componentName);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Namespace n && n.name.equals(name) && n.runtime == runtime;
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
