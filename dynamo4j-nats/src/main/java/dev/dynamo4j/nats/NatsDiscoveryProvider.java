package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;
import java.time.Duration;

/** {@code DYN_DISCOVERY_BACKEND=nats}: discovery on JetStream KV, connected with {@code NATS_*}. */
public final class NatsDiscoveryProvider implements DiscoveryProvider {
  @Override
  public String name() {
    return "nats";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    return new KvStoreDiscovery(new NatsKeyValueStore(NatsConnections.connect(NatsConfig.forRuntime(config)), true, Duration.ofSeconds(10)));
  }
}
