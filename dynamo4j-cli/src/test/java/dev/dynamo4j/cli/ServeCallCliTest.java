package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} in another JVM, {@code call} here, over TCP with file discovery. */
@Timeout(120)
class ServeCallCliTest {
  @TempDir Path root;

  @Test
  void callStreamsWhatAServeInAnotherProcessAnswers() throws Exception {
    try (ChildJvm worker = ChildJvm.start(Main.class, "serve", "cli/backend/generate", "--file-kv", root.toString(), "--delay-ms", "1", "--tokens", "4")) {
      String line = worker.awaitLine("serving ", Duration.ofSeconds(60));
      assertThat(line).contains("cli/backend/generate", "tcp 127.0.0.1:");
      CliTest.Result text = CliTest.run("call", "cli/backend/generate", "\"alpha beta\"", "--file-kv", root.toString());
      assertThat(text.code()).isZero();
      assertThat(text.out().strip()).isEqualTo("alpha beta alpha beta");
      CliTest.Result json = CliTest.run("call", "cli/backend/generate", "{\"prompt\":\"x y z\",\"max_tokens\":2}", "--json", "--router", "least_loaded", "--file-kv", root.toString());
      assertThat(json.out().lines()).containsExactly("\"x\"", "\"y\"");
    }
  }

  @Test
  void serveAndCallOnTheZmqRequestPlane() throws Exception {
    try (ChildJvm worker = ChildJvm.start(Main.class, "serve", "cli/zmq/generate", "--request-plane", "zmq", "--file-kv", root.toString(), "--delay-ms", "1", "--tokens", "3")) {
      String line = worker.awaitLine("serving ", Duration.ofSeconds(60));
      assertThat(line).contains("cli/zmq/generate", "zmq tcp://127.0.0.1:");
      CliTest.Result text = CliTest.run("call", "cli/zmq/generate", "\"one two three\"", "--request-plane", "zmq", "--file-kv", root.toString());
      assertThat(text.code()).isZero();
      assertThat(text.out().strip()).isEqualTo("one two three");
    }
  }

  @Test
  void callWithoutWorkersOrWithBadJsonFailsClearly() {
    assertThat(CliTest.run("call", "cli/none/here", "\"x\"", "--wait", "0", "--file-kv", root.toString()).code()).isEqualTo(1);
    assertThat(CliTest.run("call", "cli/none/here", "not json", "--file-kv", root.toString()).code()).isEqualTo(2);
    assertThat(CliTest.run("call", "cli/none/here", "\"x\"", "--router", "sideways", "--file-kv", root.toString()).code()).isEqualTo(2);
  }
}
