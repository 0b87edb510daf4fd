package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.cli.CliTest.Result;
import dev.dynamo4j.testkit.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code dynamo4j queue} against a real nats-server with JetStream. */
@Timeout(60)
class QueueCliTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  @Test
  void publishStatusConsumeRoundTrip() {
    String url = server.url();
    Result pub = CliTest.run("queue", "publish", "cli jobs", "{\"id\":1}", "{\"id\":2}", "{\"id\":3}", "--nats-server", url);
    assertThat(pub.code()).isZero();
    assertThat(pub.out().lines()).containsExactly("enqueued #1", "enqueued #2", "enqueued #3");

    Result first = CliTest.run("queue", "consume", "cli jobs", "--count", "2", "--nats-server", url);
    assertThat(first.code()).isZero();
    assertThat(first.out().lines()).containsExactly("{\"id\":1}", "{\"id\":2}");

    Result status = CliTest.run("queue", "status", "cli jobs", "--nats-server", url);
    assertThat(status.code()).isZero();
    assertThat(status.out())
        .contains("stream cli_jobs: 3 messages (#1..#3)")
        .contains("consumer worker-group: 1 pending, 0 unacknowledged, acked up to #2");

    Result rest = CliTest.run("queue", "consume", "cli jobs", "--timeout", "1", "--nats-server", url);
    assertThat(rest.code()).isZero();
    assertThat(rest.out().lines()).containsExactly("{\"id\":3}");
  }

  @Test
  void statusOfAMissingQueueSaysSo() {
    assertThat(CliTest.run("queue", "status", "never-made", "--nats-server", server.url()).code()).isEqualTo(1);
  }

  @Test
  void aTooShortTimeoutIsAUsageError() {
    assertThat(CliTest.run("queue", "consume", "x", "--timeout", "0.5", "--nats-server", server.url()).code()).isEqualTo(2);
  }
}
