package dev.dynamo4j.cli;

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

/** A {@code dynamo4j serve} in a child JVM on this JVM's class path; its stderr goes to a log file. */
final class WorkerProcess implements AutoCloseable {
  final String name;
  final Process process;
  final Path log;
  private final CompletableFuture<String> ready = new CompletableFuture<>();

  private final String readyPrefix;

  private WorkerProcess(String name, Process process, Path log) {
    this(name, process, log, "serving ");
  }

  private WorkerProcess(String name, Process process, Path log, String readyPrefix) {
    this.readyPrefix = readyPrefix;
    this.name = name;
    this.process = process;
    this.log = log;
    Thread.ofPlatform().daemon().name("worker-out-" + name).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          if (l.startsWith(readyPrefix)) {
            ready.complete(l);
          }
        }
      } catch (IOException e) {
        // the process is gone; ready fails below
      }
      ready.completeExceptionally(new IllegalStateException(name + " exited before it was serving; see " + log));
    });
  }

  static WorkerProcess start(String name, List<String> serveArgs, Path logDir) throws IOException {
    List<String> args = new ArrayList<>();
    args.add("serve");
    args.addAll(serveArgs);
    return startMain(name, Main.class, args, "serving ", logDir);
  }

  /** Any main class of this class or module path, ready when it prints a line starting with {@code readyPrefix}. */
  static WorkerProcess startMain(String name, Class<?> mainClass, List<String> mainArgs, String readyPrefix, Path logDir) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    Module module = mainClass.getModule();
    String modulePath = System.getProperty("jdk.module.path");
    if (module.isNamed() && modulePath != null) {
      // run from the module path (java -p ... -m dev.dynamo4j.cli/...): the child runs the same way
      cmd.add("-p");
      cmd.add(modulePath);
      cmd.add("-m");
      cmd.add(module.getName() + "/" + mainClass.getName());
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass.getName());
    }
    cmd.addAll(mainArgs);
    Path log = logDir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    return new WorkerProcess(name, p, log, readyPrefix);
  }

  /** The worker's "serving ..." line. */
  String awaitReady(Duration timeout) throws Exception {
    try {
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(name + " was not serving after " + timeout.toSeconds() + " s; see " + log);
    }
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then the exit code (a JVM ends with 143 after its graceful shutdown hooks). */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
