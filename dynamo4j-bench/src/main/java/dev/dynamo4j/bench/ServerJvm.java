package dev.dynamo4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A benchmark server in a child JVM on this JVM's class path ({@link BenchServer}), with the same
 * JVM options as the launcher gives dynamo4j. Ready when it prints {@code READY <address>}; its
 * stderr goes to a log file.
 */
final class ServerJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  private final CompletableFuture<String> ready = new CompletableFuture<>();

  private ServerJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    Thread.ofPlatform().daemon().name("server-out-" + name).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          if (l.startsWith("READY ")) {
            ready.complete(l.substring(6).trim());
          }
        }
      } catch (IOException e) {
        // the process is gone; ready fails below
      }
      ready.completeExceptionally(new IllegalStateException(name + " server exited before it was ready; see " + log));
    });
  }

  static ServerJvm start(String name, List<String> args, Path logDir) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.add("-Xmx1g");
    String extra = System.getenv("DYNAMO4J_BENCH_SERVER_OPTS"); // e.g. a JFR recording of the servers
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchServer.class.getName());
    cmd.addAll(args);
    Path log = logDir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    return new ServerJvm(name, p, log);
  }

  /** The address the server printed. */
  String awaitReady(Duration timeout) throws Exception {
    try {
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(name + " server was not ready after " + timeout.toSeconds() + " s; see " + log);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
