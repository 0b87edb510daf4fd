package dev.dynamo4j.etcd;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;

/**
 * {@code DYN_DISCOVERY_BACKEND=etcd}: discovery on etcd with a 10 s primary lease whose id is the
 * instance id, connected with {@code ETCD_*}. {@code DYN_ETCD_LEASE_LOSS_POLICY} says what happens
 * when the lease is lost: {@code renew} (default: a new lease, records written again, endpoints
 * served under the new instance id) or {@code shutdown} (Dynamo's behaviour: the runtime shuts
 * itself down).
 */
public final class EtcdDiscoveryProvider implements DiscoveryProvider {
  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    return new KvStoreDiscovery(EtcdKeyValueStore.connect(EtcdConfig.forRuntime(config), EtcdKeyValueStore.DEFAULT_LEASE_TTL, EtcdSettings.LEASE_LOSS_POLICY.read(System.getenv())));
  }
}
