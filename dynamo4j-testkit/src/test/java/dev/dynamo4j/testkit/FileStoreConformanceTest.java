package dev.dynamo4j.testkit;

import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.FileKeyValueStore;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.kv.KeyValueStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The file store and discovery on it pass the shared suites; each test gets its own root. */
class FileStoreConformanceTest {
  @Nested
  class Store extends KeyValueStoreConformance {
    @TempDir Path root;

    @Override
    protected KeyValueStore newStore() {
      return new FileKeyValueStore(root);
    }

    @Override
    protected KeyValueStore newStoreWithWatchCapacity(int capacity) {
      return new FileKeyValueStore(root, Duration.ofSeconds(FileKeyValueStore.DEFAULT_TTL_SECONDS), capacity);
    }
  }

  @Nested
  class OnDiscovery extends DiscoveryConformance {
    @TempDir Path root;

    @Override
    protected Discovery newDiscovery() {
      return new KvStoreDiscovery(new FileKeyValueStore(root));
    }
  }
}
