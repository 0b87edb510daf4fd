package dev.dynamo4j.discovery;

import dev.dynamo4j.runtime.RuntimeConfig;

/** {@code mem}: discovery shared by every runtime of this JVM, nothing leaves the process. */
public final class MemoryDiscoveryProvider implements DiscoveryProvider {
  static final MemoryDiscovery.Registry JVM_REGISTRY = new MemoryDiscovery.Registry();

  @Override
  public String name() {
    return "mem";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    return new MemoryDiscovery(JVM_REGISTRY);
  }
}
