package dev.dynamo4j.etcd;

import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.testkit.DiscoveryConformance;
import dev.dynamo4j.testkit.DiscoveryScenarios;
import dev.dynamo4j.testkit.EtcdServerExtension;
import dev.dynamo4j.testkit.KeyValueStoreConformance;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

    @Override
    protected KeyValueStore newStoreWithWatchCapacity(int capacity) {
      return EtcdKeyValueStore.connect(EtcdConfig.builder(Map.of()).endpoints(etcd.endpoint()).build(),
          EtcdKeyValueStore.DEFAULT_LEASE_TTL, EtcdKeyValueStore.LeaseLossPolicy.RENEW, capacity);
    }
  }

  @Nested
  class OnDiscovery extends DiscoveryConformance {
    @Override
    protected Discovery newDiscovery() {
      return new KvStoreDiscovery(newEtcdStore());
    }
  }

  @Test
  @Timeout(90)
  void aKilledClientsRecordGoesWhenItsLeaseExpires() throws Exception {
    // the record is attached to the client's lease (TTL 10 s, kept alive every TTL/3): it goes when etcd expires the lease
    try (KvStoreDiscovery parent = new KvStoreDiscovery(newEtcdStore())) {
      DiscoveryScenarios.aKilledClientsRecordGoesWhenItsLivenessRunsOut(parent, "etcd:" + etcd.endpoint(), "etcdcrash", Duration.ofSeconds(5), Duration.ofSeconds(40));
    }
  }
}
