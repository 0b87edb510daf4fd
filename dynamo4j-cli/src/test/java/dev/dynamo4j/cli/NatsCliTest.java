package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.testkit.ChildJvm;
import dev.dynamo4j.testkit.NatsServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI on an all-NATS deployment against a real nats-server: discovery on JetStream KV,
 * requests on NATS, events on NATS, with {@code serve}/{@code events subscribe} in another JVM.
 */
@Timeout(120)
class NatsCliTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  @Test
  void serveAndCallOverNatsWithNatsDiscovery() throws Exception {
    String url = server.url();
    try (ChildJvm worker = ChildJvm.start(Main.class, "serve", "natscli/backend/generate", "--backend", "nats", "--request-plane", "nats", "--nats-server", url, "--delay-ms", "1", "--tokens", "4")) {
      String line = worker.awaitLine("serving ", Duration.ofSeconds(60));
      assertThat(line).contains("natscli/backend/generate", "natscli_backend.generate-");
      CliTest.Result r = CliTest.run("call", "natscli/backend/generate", "\"alpha beta\"", "--backend", "nats", "--request-plane", "nats", "--nats-server", url);
      assertThat(r.code()).isZero();
      assertThat(r.out().strip()).isEqualTo("alpha beta alpha beta");

      CliTest.Result stats = CliTest.run("nats", "stats", "natscli/backend", "--nats-server", url);
      assertThat(stats.code()).isZero();
      assertThat(stats.out()).contains("service natscli_backend: 1 instance(s) answered within 500 ms")
          .containsPattern("generate-[0-9a-f]+ +requests 1  errors 0  mean ack [0-9.]+ µs  data \\{")
          .contains("\"requests\":1", "\"engine\":\"tokens\"");
      CliTest.Result json = CliTest.run("nats", "stats", "natscli_backend", "--json", "--nats-server", url);
      assertThat(json.out()).startsWith("{\"type\":\"io.nats.micro.v1.stats_response\"");
      assertThat(CliTest.run("nats", "stats", "natscli/nobody", "--timeout", "0.2", "--nats-server", url).code()).isEqualTo(1);
      assertThat(CliTest.run("nats", "stats", "natscli/backend", "--timeout", "30", "--nats-server", url).code()).isEqualTo(2);
    }
  }

  @Test
  void eventsPublishedOverNatsReachASubscriberWithNoGap() throws Exception {
    String url = server.url();
    try (ChildJvm sub = ChildJvm.start(Main.class, "events", "subscribe", "natscli", "kv-events", "--count", "3", "--backend", "nats", "--event-plane", "nats", "--nats-server", url)) {
      assertThat(sub.awaitLine("subscribed", Duration.ofSeconds(60))).contains("nats event plane");
      CliTest.Result pub = CliTest.run("events", "publish", "natscli", "kv-events", "{\"block\":7}", "--count", "3", "--rate", "0", "--delay-ms", "0", "--backend", "nats", "--event-plane", "nats", "--nats-server", url);
      assertThat(pub.code()).isZero();
      assertThat(pub.out()).contains("nats event plane");
      // the third event, with nothing missed before it
      assertThat(sub.awaitLineContaining("(received 3, gaps 0, publishers 1)", Duration.ofSeconds(30))).contains("{\"block\":7}");
    }
  }
}
