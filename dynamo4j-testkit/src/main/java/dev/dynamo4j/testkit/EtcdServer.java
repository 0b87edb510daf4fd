package dev.dynamo4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real single-member {@code etcd} (Debian package {@code etcd-server}) as a child process on free
 * loopback client and peer ports with its own data directory. It can be killed with SIGKILL and
 * restarted on the same ports and data directory, optionally with TLS ({@link #startTls}), and
 * {@link #etcdctl} runs the real {@code
 * etcdctl} (package {@code etcd-client}) against it. A missing binary is an {@link AssertionError}
 * naming the package, so tests fail rather than skip.
 */
public final class EtcdServer extends ServerProcess {
  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final TestCertificates tls;

  private EtcdServer(Path dir, int clientPort, int peerPort, TestCertificates tls) {
    this.dir = dir;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.tls = tls;
  }

  /** Starts and waits until {@code /health} reports healthy (about 0.3 s). */
  public static EtcdServer start() throws IOException {
    EtcdServer s = new EtcdServer(Files.createTempDirectory("dynamo4j-etcd-"), NatsServer.freePort(), NatsServer.freePort(), null);
    s.launch();
    return s;
  }

  /**
   * Starts with TLS on the client port ({@code https://}), requiring client certificates signed by
   * the test CA; {@link #etcdctl} passes the client certificate.
   */
  public static EtcdServer startTls(TestCertificates certs) throws IOException {
    EtcdServer s = new EtcdServer(Files.createTempDirectory("dynamo4j-etcd-"), NatsServer.freePort(), NatsServer.freePort(), certs);
    s.launch();
    return s;
  }

  static String binary(String name, String pkg) {
    for (String p : List.of("/usr/bin/" + name, "/usr/local/bin/" + name, "/usr/sbin/" + name)) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError(name + " not found: install the Debian package " + pkg + " (scripts/test does this as root)");
  }

  @Override
  protected String name() {
    return "etcd";
  }

  @Override
  protected void launch() throws IOException {
    String client = endpoint();
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = new ArrayList<>(List.of(binary("etcd", "etcd-server"),
        "--name", "t",
        "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "t=" + peer,
        "--log-outputs", "stderr"));
    if (tls != null) {
      cmd.addAll(List.of("--cert-file", tls.serverCert().file().toString(), "--key-file", tls.serverKey().file().toString(),
          "--trusted-ca-file", tls.ca().file().toString(), "--client-cert-auth"));
    }
    process = track(new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
        .start());
    awaitHealthy(Duration.ofSeconds(30));
  }

  private void awaitHealthy(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("etcd exited with " + process.exitValue() + "; log: " + Files.readString(dir.resolve("etcd.log")));
      }
      if (tls != null) {
        try {
          if (etcdctl("endpoint", "health").exitCode() == 0) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for etcd", e);
        }
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // poll interval of the readiness check
        continue;
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/health").toURL().openConnection();
        c.setConnectTimeout(200);
        c.setReadTimeout(1000);
        if (c.getResponseCode() == 200) {
          try (InputStream in = c.getInputStream()) {
            if (new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("\"health\":\"true\"")) {
              return;
            }
          }
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // poll interval of the readiness check
    }
    throw new IOException("etcd not healthy after " + timeout + "; log in " + dir.resolve("etcd.log"));
  }

  /** {@code http://127.0.0.1:<client port>}, the value for {@code ETCD_ENDPOINTS}. */
  public String endpoint() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  /** The result of one {@code etcdctl} run. */
  public record Result(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code etcdctl --endpoints <this> ARGS} (API v3) and waits up to 30 s.
   *
   * @throws AssertionError when it does not finish in time
   */
  public Result etcdctl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary("etcdctl", "etcd-client"), "--endpoints", endpoint()));
    if (tls != null) {
      cmd.addAll(List.of("--cacert", tls.ca().file().toString(), "--cert", tls.clientCert().file().toString(), "--key", tls.clientKey().file().toString()));
    }
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("ETCDCTL_API", "3");
    Path out = Files.createTempFile(dir, "etcdctl-", ".out");
    Path err = Files.createTempFile(dir, "etcdctl-", ".err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("etcdctl " + String.join(" ", args) + " did not finish in 30 s");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
