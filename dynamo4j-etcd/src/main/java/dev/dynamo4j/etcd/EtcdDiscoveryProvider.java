package dev.dynamo4j.etcd;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.discovery.DiscoveryProvider;
import dev.dynamo4j.discovery.KvStoreDiscovery;
import dev.dynamo4j.runtime.RuntimeConfig;

/**
 * {@code DYN_DISCOVERY_BACKEND=etcd}: discovery on etcd with a 10 s primary lease whose id is the
 * instance id, connected with {@code ETCD_*}. A lost lease is renewed and the records written again
 * ({@link EtcdKeyValueStore.LeaseLossPolicy#RENEW}).
 */
public final class EtcdDiscoveryProvider implements DiscoveryProvider {
  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    return new KvStoreDiscovery(EtcdKeyValueStore.connect(EtcdConfig.forRuntime(config), EtcdKeyValueStore.DEFAULT_LEASE_TTL, EtcdKeyValueStore.LeaseLossPolicy.RENEW));
  }
}
