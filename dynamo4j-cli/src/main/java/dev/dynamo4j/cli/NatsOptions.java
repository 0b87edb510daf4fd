package dev.dynamo4j.cli;

import dev.dynamo4j.nats.NatsConfig;
import dev.dynamo4j.nats.NatsConnections;
import io.nats.client.Connection;
import picocli.CommandLine.Option;

/** {@code --nats-server}, shared by the commands that talk to NATS directly (queue, object, nats). */
final class NatsOptions {
  @Option(names = "--nats-server", paramLabel = "URLS", description = "Comma-separated nats:// URLs; overrides NATS_SERVER (default nats://localhost:4222). Credentials come from NATS_AUTH_*.")
  String servers;

  Connection connect() {
    return NatsConnections.connect(NatsConfig.fromEnv(servers));
  }
}
