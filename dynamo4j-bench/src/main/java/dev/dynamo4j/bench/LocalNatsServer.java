package dev.dynamo4j.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@code nats-server} (Debian package {@code nats-server}) for one benchmark run, when none is
 * given: loopback, a free port, no JetStream (the request plane needs none), its log next to the
 * run's other logs. Stopped with the run, and by a shutdown hook if this JVM exits first (a JVM
 * killed with -9 leaves it running: its log names the port).
 */
final class LocalNatsServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Thread hook;

  private LocalNatsServer(Process process, int port) {
    this.process = process;
    this.port = port;
    this.hook = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The binary, or null when this machine has none. */
  static String binary() {
    for (String p : List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  /** Starts one and waits (at most {@code timeout}) until it accepts connections. */
  static LocalNatsServer start(String binary, Path logDir, Duration timeout) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path log = logDir.resolve("nats-server.log");
    Process p = new ProcessBuilder(binary, "-a", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LocalNatsServer server = new LocalNatsServer(p, port);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!p.isAlive()) {
        server.close();
        throw new IOException("nats-server exited with " + p.exitValue() + "; its log: " + log);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return server;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          server.close();
          throw new IOException("nats-server did not accept connections on port " + port + " within " + timeout.toSeconds() + " s; its log: " + log);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval of the readiness check
      }
    }
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
