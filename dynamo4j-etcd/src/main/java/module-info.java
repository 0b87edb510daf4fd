/**
 * etcd as a discovery backend ({@code DYN_DISCOVERY_BACKEND=etcd}) and key-value store, on jetcd.
 * Found through the providers; {@code dev.dynamo4j.etcd} is exported for {@code EtcdKeyValueStore},
 * {@code EtcdConfig} and {@code DistributedRwLock}, which the command line and tests use. jetcd has
 * no module name of its own: it is required by the names the module system derives from its jar
 * files ({@code jetcd.core}, {@code jetcd.common}).
 */
module dev.dynamo4j.etcd {
  requires dev.dynamo4j.core;
  requires jetcd.core;
  requires jetcd.common;
  requires io.grpc.netty;
  requires io.netty.handler;

  exports dev.dynamo4j.etcd;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.etcd.EtcdSettings;
  provides dev.dynamo4j.spi.discovery.DiscoveryProvider with dev.dynamo4j.etcd.EtcdDiscoveryProvider;
}
