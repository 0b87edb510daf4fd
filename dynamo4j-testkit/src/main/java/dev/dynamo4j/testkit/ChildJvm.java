package dev.dynamo4j.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running a main class from the current class path, for tests where process
 * boundaries matter (crash with {@code kill -9}, clean exit, several writers). Its stdout lines
 * are read by a daemon thread into a queue; stderr goes to this process's stderr. {@link
 * #kill()} sends SIGKILL; {@link #close()} kills it if it is still running.
 */
public final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000EOF";
  private final Process process;
  private final Writer stdin;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofPlatform().daemon().name("child-jvm-stdout-" + process.pid()).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          lines.add(l);
        }
      } catch (IOException e) {
        // the child died; EOF below tells the reader
      } finally {
        lines.add(EOF);
      }
    });
  }

  /** Starts {@code mainClass} with {@code args} on the JVM and class path of this process. */
  public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    return start(List.of(), mainClass, args);
  }

  /**
   * Starts {@code mainClass} with extra JVM options first (for example {@code -Xmx48m}, to prove
   * that work is streamed rather than held in memory).
   */
  public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(Path.javaHome());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xss512k");
    cmd.addAll(jvmOptions);
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    return new ChildJvm(ServerProcess.track(pb.start())); // dies with this JVM if a test never closes it
  }

  private static final class Path {
    static String javaHome() {
      return System.getProperty("java.home") + "/bin/java";
    }
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Waits for the next stdout line that starts with {@code prefix} (earlier lines are skipped).
   *
   * @throws AssertionError when the child exits or the timeout passes first
   */
  public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    return awaitLine(l -> l.startsWith(prefix), "starting with '" + prefix + "'", timeout);
  }

  /** Waits for the next stdout line that contains {@code text}; as {@link #awaitLine}. */
  public String awaitLineContaining(String text, Duration timeout) throws InterruptedException {
    return awaitLine(l -> l.contains(text), "containing '" + text + "'", timeout);
  }

  private String awaitLine(Predicate<String> wanted, String what, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new AssertionError("child " + pid() + " printed no line " + what + " within " + timeout);
      }
      if (l.equals(EOF)) {
        lines.add(EOF);
        throw new AssertionError("child " + pid() + " exited before printing a line " + what);
      }
      if (wanted.test(l)) {
        return l;
      }
    }
  }

  /** Writes one line to the child's stdin. */
  public void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** SIGKILL: no shutdown hook runs, nothing is cleaned up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Waits for the exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("child " + pid() + " did not exit within " + timeout);
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
