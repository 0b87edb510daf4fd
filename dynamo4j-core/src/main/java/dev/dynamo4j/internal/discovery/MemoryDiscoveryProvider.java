package dev.dynamo4j.internal.discovery;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;

/**
 * {@code mem}: a memory store shared by every runtime of this JVM (each with its own instance id
 * and records); nothing leaves the process.
 */
public final class MemoryDiscoveryProvider implements DiscoveryProvider {
  static final MemoryKeyValueStore.Data JVM_DATA = new MemoryKeyValueStore.Data(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);

  @Override
  public String name() {
    return "mem";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    return new KvStoreDiscovery(new MemoryKeyValueStore(JVM_DATA));
  }
}
