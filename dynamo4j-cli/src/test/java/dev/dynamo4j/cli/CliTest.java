package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.zmq.ZmqEventOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  record Result(int code, String out) {}

  static Result run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Result(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void helpListsTheCommands() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: dynamo4j", "demo", "version", "DYN_");
  }

  @Test
  void zmqKeygenPrintsAPairOfZ85KeysThatTheEventOptionsAccept() {
    Result r = run("zmq-keygen");
    assertThat(r.code()).isZero();
    Map<String, String> env = new HashMap<>();
    for (String line : r.out().strip().split("\n")) {
      String[] kv = line.split("=", 2);
      env.put(kv[0], kv[1]);
    }
    assertThat(env.keySet()).containsExactlyInAnyOrder("DYN_ZMQ_CURVE_PUBLIC_KEY", "DYN_ZMQ_CURVE_SECRET_KEY");
    var curve = ZmqEventOptions.fromEnv(env, ZmqEventOptions.DEFAULTS).curve();
    assertThat(curve.publicKey()).hasSize(40).isNotEqualTo(curve.secretKey());
    assertThat(run("zmq-keygen").out()).isNotEqualTo(r.out()); // a new pair each time
  }

  @Test
  void versionNamesTheBuildVersion() {
    Result r = run("version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("dynamo4j 0.").contains("java ");
  }

  @Test
  void demoStreamsAnAnswerThroughThePipeline() {
    Result r = run("demo", "--in-process", "--delay-ms", "0", "--prompt", "hi", "--backend", "mem", "--requests", "1", "--system-port", "0");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .containsPattern("status    http://127\\.0\\.0\\.1:\\d+/ \\(status page")
        .contains("frontend -> preprocess -> timing operator -> client -> postprocess -> frontend")
        .contains("request 1 -> worker (accepted in", "the frontend sends the request")
        .contains("26 tokens in")
        .contains("dynamo4j demo: finished");
  }

  @Test
  void demoWithWorkerProcessesSurvivesAKilledWorker(@TempDir Path root) {
    Result r = run("demo", "--workers", "2", "--requests", "3", "--delay-ms", "2", "--file-kv", root.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("2 workers in separate JVMs", "worker-1  pid", "worker-2  pid", "sees 2 instances")
        .contains("!! killing worker-", "Disconnected", "retrying on another worker")
        .contains("exited with 143 (graceful)", "dynamo4j demo: finished");
    assertThat(r.out().lines().filter(l -> l.contains("12 tokens in"))).hasSize(3);
  }

  @Test
  void badOptionIsAUsageError() {
    assertThat(run("demo", "--delay-ms", "-1").code()).isEqualTo(2);
    assertThat(run("demo", "--no-such-option").code()).isEqualTo(2);
  }
}
