package dev.dynamo4j.cli;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.etcd.EtcdConfig;
import dev.dynamo4j.etcd.EtcdSettings;
import dev.dynamo4j.internal.discovery.Discoveries;
import dev.dynamo4j.nats.NatsSettings;
import dev.dynamo4j.spi.discovery.Discovery;
import java.nio.file.Path;
import java.util.stream.Collectors;
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

  @Option(names = "--nats-server", paramLabel = "URLS", description = "Comma-separated nats:// URLs for whatever runs on NATS (discovery, request or event plane); overrides NATS_SERVER (default nats://localhost:4222). Credentials: NATS_AUTH_*.")
  String natsServer;

  @Option(names = "--etcd-endpoints", paramLabel = "URLS", description = "Comma-separated http(s):// URLs of etcd for --backend etcd; overrides ETCD_ENDPOINTS (default http://localhost:2379). Credentials and TLS: ETCD_AUTH_*.")
  String etcdEndpoints;

  RuntimeConfig config() {
    RuntimeConfig.Builder b = RuntimeConfig.builder(System.getenv());
    if (etcdEndpoints != null) {
      b.variable(EtcdSettings.ENDPOINTS.name(), etcdEndpoints);
    }
    if (natsServer != null) {
      b.variable(NatsSettings.SERVER.name(), natsServer);
    }
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
    return switch (c.discoveryBackend()) {
      case "file" -> "file store " + c.fileKvRoot();
      case "etcd" -> "etcd " + EtcdConfig.forRuntime(c).endpoints().stream().map(Object::toString).collect(Collectors.joining(","));
      default -> c.discoveryBackend();
    };
  }
}
