package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.testkit.NatsServerExtension;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** JetStream work queues against a real nats-server, including the broadcast test of spec §3.6. */
@Timeout(90)
class NatsQueueTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  static Connection connect() {
    return NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build());
  }

  static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void broadcastQueueWithPurgeAndLateConsumer() throws Exception {
    try (Connection nc = connect()) {
      String name = "broadcast-" + System.nanoTime();
      NatsQueue publisher = new NatsQueue(nc, name, null, Duration.ofSeconds(3600), 1, Duration.ofSeconds(30));
      NatsQueue c1 = new NatsQueue(nc, name, "consumer1", Duration.ofSeconds(3600), 1, Duration.ofSeconds(30));
      for (int i = 1; i <= 4; i++) {
        publisher.enqueueJson("message" + i);
      }
      publisher.purgeUpToSequence(3);
      assertThat(publisher.streamMessages()).isEqualTo(2);
      assertThat(s(c1.dequeue(Duration.ofSeconds(5)).orElseThrow())).isEqualTo("\"message3\"");
      NatsQueue c2 = new NatsQueue(nc, name, "consumer2", Duration.ofSeconds(3600), 1, Duration.ofSeconds(30));
      assertThat(s(c2.dequeue(Duration.ofSeconds(5)).orElseThrow())).isEqualTo("\"message3\"");
      assertThat(s(c2.dequeue(Duration.ofSeconds(5)).orElseThrow())).isEqualTo("\"message4\"");
      assertThat(c1.consumerCount()).isEqualTo(2);
      c2.close();
      assertThat(c1.consumerCount()).isEqualTo(1);
      assertThat(c1.pending()).isEqualTo(1);
      assertThat(c1.dequeue(Duration.ofSeconds(5))).isPresent();
      c1.purgeAcknowledged();
      assertThat(c1.streamMessages()).isZero();
      assertThat(publisher.stream()).isEqualTo(name);
    }
  }

  @Test
  void workersOfOneGroupCompeteForMessages() throws Exception {
    try (Connection nc = connect()) {
      String name = "work-" + System.nanoTime();
      NatsQueue a = new NatsQueue(nc, name, NatsQueue.WORKER_GROUP, Duration.ofSeconds(3600), 1, Duration.ofSeconds(30));
      NatsQueue b = new NatsQueue(nc, name, NatsQueue.WORKER_GROUP, Duration.ofSeconds(3600), 1, Duration.ofSeconds(30));
      for (int i = 0; i < 10; i++) {
        a.enqueue(("job" + i).getBytes(StandardCharsets.UTF_8));
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        NatsQueue q = i % 2 == 0 ? a : b;
        seen.add(s(q.dequeue(Duration.ofSeconds(5)).orElseThrow()));
      }
      assertThat(seen).hasSize(10);
      assertThat(a.dequeue(Duration.ofMillis(300))).isEmpty();
    }
  }

  @Test
  void aConsumerThatDiesBeforeAckingLosesNothing() throws Exception {
    String name = "alo-" + System.nanoTime();
    Connection doomed = connect();
    NatsQueue worker = new NatsQueue(doomed, name, NatsQueue.WORKER_GROUP, Duration.ofSeconds(3600), 1, Duration.ofSeconds(1));
    worker.enqueue("precious".getBytes(StandardCharsets.UTF_8));
    NatsQueue.Delivery d = worker.dequeueExplicit(Duration.ofSeconds(5)).orElseThrow();
    assertThat(s(d.data())).isEqualTo("precious");
    doomed.close(); // the worker dies holding the message, unacknowledged
    try (Connection nc = connect()) {
      NatsQueue survivor = new NatsQueue(nc, name, NatsQueue.WORKER_GROUP, Duration.ofSeconds(3600), 1, Duration.ofSeconds(1));
      NatsQueue.Delivery again = survivor.dequeueExplicit(Duration.ofSeconds(10)).orElseThrow();
      assertThat(s(again.data())).isEqualTo("precious");
      again.ack();
      assertThat(survivor.dequeueExplicit(Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void nakRedeliversAndTermDropsAndEnvIsRead() throws Exception {
    try (Connection nc = connect()) {
      NatsQueue q = NatsQueue.open(nc, "Env Queue " + System.nanoTime(), NatsQueue.WORKER_GROUP, Map.of("DYN_NATS_STREAM_MAX_AGE", "60"));
      assertThat(q.stream()).matches("env_queue_\\d+");
      q.enqueue("a".getBytes(StandardCharsets.UTF_8));
      q.dequeueExplicit(Duration.ofSeconds(5)).orElseThrow().nak();
      NatsQueue.Delivery again = q.dequeueExplicit(Duration.ofSeconds(5)).orElseThrow();
      assertThat(s(again.data())).isEqualTo("a");
      again.term();
      assertThat(q.dequeueExplicit(Duration.ofSeconds(2))).isEmpty();
    }
  }
}
