package dev.dynamo4j.etcd;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.discovery.KvStoreDiscovery;
import dev.dynamo4j.kv.KeyValueStore;
import dev.dynamo4j.testkit.DiscoveryConformance;
import dev.dynamo4j.testkit.KeyValueStoreConformance;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import dev.dynamo4j.testkit.EtcdServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The etcd store, and discovery on it, pass the shared suites unchanged against a real etcd. */
class EtcdKvConformanceTest {
  @RegisterExtension static final EtcdServerExtension etcd = new EtcdServerExtension();

  static EtcdKeyValueStore newEtcdStore() {
    return EtcdKeyValueStore.connect(EtcdConfig.builder(Map.of()).endpoints(etcd.endpoint()).build(),
        EtcdKeyValueStore.DEFAULT_LEASE_TTL, EtcdKeyValueStore.LeaseLossPolicy.RENEW);
  }

  @Nested
  class Store extends KeyValueStoreConformance {
    @Override
    protected KeyValueStore newStore() {
      return newEtcdStore();
    }
  }

  @Nested
  class OnDiscovery extends DiscoveryConformance {
    @Override
    protected Discovery newDiscovery() {
      return new KvStoreDiscovery(newEtcdStore());
    }
  }
}
