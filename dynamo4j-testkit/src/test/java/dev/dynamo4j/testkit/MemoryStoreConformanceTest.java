package dev.dynamo4j.testkit;

import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.kv.KeyValueStore;
import org.junit.jupiter.api.Nested;

/** The memory store and discovery on it pass the shared suites. */
class MemoryStoreConformanceTest {
  @Nested
  class Store extends KeyValueStoreConformance {
    final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);

    @Override
    protected KeyValueStore newStore() {
      return new MemoryKeyValueStore(data);
    }

    @Override
    protected KeyValueStore newStoreWithWatchCapacity(int capacity) {
      return new MemoryKeyValueStore(new MemoryKeyValueStore.Data(capacity));
    }
  }

  @Nested
  class OnDiscovery extends DiscoveryConformance {
    final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);

    @Override
    protected Discovery newDiscovery() {
      return new KvStoreDiscovery(new MemoryKeyValueStore(data));
    }
  }
}
