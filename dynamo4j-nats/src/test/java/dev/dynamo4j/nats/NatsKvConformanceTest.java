package dev.dynamo4j.nats;

import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.testkit.DiscoveryConformance;
import dev.dynamo4j.testkit.DiscoveryScenarios;
import dev.dynamo4j.testkit.KeyValueStoreConformance;
import dev.dynamo4j.testkit.NatsServerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JetStream KV store, and discovery on it, pass the shared suites against a real nats-server. */
class NatsKvConformanceTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  static NatsKeyValueStore newNatsStore() {
    NatsConfig cfg = NatsConfig.builder(Map.of()).servers(server.url()).build();
    return new NatsKeyValueStore(NatsConnections.connect(cfg), true, Duration.ofSeconds(10));
  }

  @Nested
  class Store extends KeyValueStoreConformance {
    @Override
    protected KeyValueStore newStore() {
      return newNatsStore();
    }

    @Override
    protected KeyValueStore newStoreWithWatchCapacity(int capacity) {
      NatsConfig cfg = NatsConfig.builder(Map.of()).servers(server.url()).build();
      return new NatsKeyValueStore(NatsConnections.connect(cfg), true, Duration.ofSeconds(10), capacity);
    }
  }

  @Nested
  class OnDiscovery extends DiscoveryConformance {
    @Override
    protected Discovery newDiscovery() {
      return new KvStoreDiscovery(newNatsStore());
    }
  }

  @Test
  @Timeout(90)
  void aKilledClientsRecordGoesOnceItsTtlRunsOutWithoutARenewal() throws Exception {
    // NATS KV keeps no lease: the owner re-puts its records every TTL/3 and the other clients delete those older than the TTL
    try (KvStoreDiscovery parent = new KvStoreDiscovery(newNatsStore())) {
      DiscoveryScenarios.aKilledClientsRecordGoesWhenItsLivenessRunsOut(parent, "nats:" + server.url(), "natscrash", Duration.ofSeconds(9), Duration.ofSeconds(40));
    }
  }
}
