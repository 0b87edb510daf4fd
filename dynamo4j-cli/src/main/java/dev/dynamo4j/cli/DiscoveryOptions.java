package dev.dynamo4j.cli;

import dev.dynamo4j.discovery.Discoveries;
import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.runtime.RuntimeConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to discovery. */
final class DiscoveryOptions {
  @Option(
      names = "--backend",
      paramLabel = "NAME",
      description = "Discovery backend: mem, file (default here), etcd, nats, kubernetes; overrides DYN_DISCOVERY_BACKEND.")
  String backend;

  @Option(names = "--file-kv", paramLabel = "DIR", description = "Root of the file backend; overrides DYN_FILE_KV (default <tmp>/dynamo_store_kv).")
  Path fileKv;

  RuntimeConfig config() {
    RuntimeConfig.Builder b = RuntimeConfig.builder(System.getenv());
    if (backend != null) {
      b.discoveryBackend(backend);
    }
    if (fileKv != null) {
      b.fileKvRoot(fileKv);
    }
    return b.build();
  }

  Discovery connect() {
    return Discoveries.create(config());
  }

  String describe(RuntimeConfig c) {
    return c.discoveryBackend().equals("file") ? "file store " + c.fileKvRoot() : c.discoveryBackend();
  }
}
