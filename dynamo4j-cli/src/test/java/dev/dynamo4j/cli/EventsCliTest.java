package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.testkit.ChildJvm;
import dev.dynamo4j.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code events subscribe} in another JVM sees {@code events publish} from here, over ZMQ with file discovery and no server. */
@Timeout(120)
class EventsCliTest {
  @TempDir Path root;

  @Test
  void subscribeInAnotherProcessSeesPublishedEvents() throws Exception {
    try (ChildJvm sub = ChildJvm.start(Main.class, "events", "subscribe", "cli/worker", "kv-events", "--json", "--count", "3", "--file-kv", root.toString())) {
      // The subscriber prints nothing until an event comes; give its JVM time to start watching,
      // then publish more than needed (ZMQ drops what arrives before a subscriber connects).
      CliTest.Result pub = CliTest.run("events", "publish", "cli/worker", "kv-events", "{\"block\":7}", "--count", "40", "--rate", "20",
          "--delay-ms", "2000", "--file-kv", root.toString());
      assertThat(pub.code()).isZero();
      assertThat(pub.out()).contains("publisher ", "namespace.cli.component.worker.kv-events", "sent #39");
      JsonNode first = Json.MAPPER.readTree(sub.awaitLine("{", Duration.ofSeconds(30)));
      assertThat(first.get("topic").asText()).isEqualTo("kv-events");
      assertThat(first.get("payload").get("block").asInt()).isEqualTo(7);
      JsonNode second = Json.MAPPER.readTree(sub.awaitLine("{", Duration.ofSeconds(10)));
      assertThat(second.get("sequence").asLong()).isEqualTo(first.get("sequence").asLong() + 1);
      assertThat(sub.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void badScopeAndBadJsonAreUsageErrors() {
    assertThat(CliTest.run("events", "publish", "a/b/c/d", "t", "1", "--file-kv", root.toString()).code()).isEqualTo(2);
    assertThat(CliTest.run("events", "publish", "a", "t", "{nope", "--file-kv", root.toString()).code()).isEqualTo(2);
  }
}
