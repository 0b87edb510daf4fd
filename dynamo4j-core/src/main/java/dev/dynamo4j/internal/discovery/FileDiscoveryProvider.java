package dev.dynamo4j.internal.discovery;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.internal.kv.FileKeyValueStore;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;

/** {@code file}: the file store under {@code DYN_FILE_KV}, shared by the processes of one machine. */
public final class FileDiscoveryProvider implements DiscoveryProvider {
  @Override
  public String name() {
    return "file";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    return new KvStoreDiscovery(new FileKeyValueStore(config.fileKvRoot()));
  }
}
