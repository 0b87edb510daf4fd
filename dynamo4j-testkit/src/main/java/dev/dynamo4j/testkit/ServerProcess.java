package dev.dynamo4j.testkit;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real server run as a child process that tests can kill with SIGKILL, stop with SIGTERM and
 * start again on the same ports and data directory. Subclasses say how to launch it and wait until
 * it is ready.
 */
public abstract class ServerProcess implements AutoCloseable {
  /** Every server started in this JVM and not yet ended: killed when the JVM exits (see {@link #track}). */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "dynamo4j-test-servers-reaper"));
  }

  protected Process process;

  /**
   * Registers a just-started server process so that it dies with this JVM even when a test never
   * closes it (a child process outlives its parent otherwise: a CI run left an etcd and a
   * nats-server running after the build).
   */
  protected static Process track(Process p) {
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
    return p;
  }

  /** Starts the process and returns once it serves; throws when it exits or is not ready in time. */
  protected abstract void launch() throws IOException;

  /** The program's name, for messages. */
  protected abstract String name();

  /** SIGKILL and wait: what was made durable survives, the rest is lost. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts again on the same ports and directories (after {@link #kill()} or {@link #stop()}). */
  public void restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException(name() + " is still running");
    }
    launch();
  }

  /** SIGTERM and wait (SIGKILL after 10 s). */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (isRunning()) {
      stop();
    }
  }
}
