package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.testkit.NatsServer;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server started without JetStream: what needs it (KV discovery, work queues) fails with a typed
 * error that names JetStream; what does not (core publish) keeps working on the same connection.
 */
@Timeout(60)
class NatsWithoutJetStreamTest {
  static NatsServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = NatsServer.startWithoutJetStream();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  static Connection connect() {
    return NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build());
  }

  @Test
  void keyValueStoreNeedsJetStream() throws Exception {
    try (Connection nc = connect()) {
      assertThatThrownBy(() -> new NatsKeyValueStore(nc, false, Duration.ofSeconds(10)))
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
          .hasMessageContaining("JetStream not available");
    }
  }

  @Test
  void workQueueNeedsJetStreamAndConnectionStaysUsable() throws Exception {
    try (Connection nc = connect()) {
      assertThatThrownBy(() -> new NatsQueue(nc, "jobs", NatsQueue.WORKER_GROUP, Duration.ofSeconds(60), 1, Duration.ofSeconds(30)))
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
          .hasMessageContaining("JetStream not available");
      var sub = nc.subscribe("still.alive");
      nc.flush(Duration.ofSeconds(5));
      nc.publish("still.alive", new byte[] {1});
      assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();
    }
  }
}
