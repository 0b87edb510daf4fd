package dev.dynamo4j.testkit;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A real {@code nats-server} (Debian package {@code nats-server}) as a child process on free
 * loopback ports, with JetStream in its own store directory (memory capped at 256 MB). It can be
 * killed with SIGKILL and restarted on the same port and directory. Missing binary: an {@link
 * AssertionError} naming the package, so tests fail rather than skip.
 */
public final class NatsServer extends ServerProcess {
  /**
   * How clients must authenticate; {@code null} fields mean "not this kind". Operator mode (JWTs,
   * what a creds file is for) takes the operator's JWT and one account preloaded into a memory
   * resolver.
   */
  public record Auth(String user, String password, String token, String nkeyPublic, String operatorJwt, String accountPublic, String accountJwt) {
    public static Auth none() {
      return new Auth(null, null, null, null, null, null, null);
    }

    public static Auth userPassword(String user, String password) {
      return new Auth(user, password, null, null, null, null, null);
    }

    public static Auth token(String token) {
      return new Auth(null, null, token, null, null, null, null);
    }

    public static Auth nkey(String publicKey) {
      return new Auth(null, null, null, publicKey, null, null, null);
    }

    public static Auth operator(String operatorJwt, String accountPublic, String accountJwt) {
      return new Auth(null, null, null, null, operatorJwt, accountPublic, accountJwt);
    }
  }

  private final Path dir;
  private final int port;
  private final int monitorPort;
  private final Auth auth;
  private final boolean jetStream;
  private Path tlsCert;
  private Path tlsKey;
  private Path tlsClientCa;

  private NatsServer(Path dir, int port, int monitorPort, Auth auth, boolean jetStream) {
    this.dir = dir;
    this.port = port;
    this.monitorPort = monitorPort;
    this.auth = auth;
    this.jetStream = jetStream;
  }

  public static NatsServer start() throws IOException {
    return start(Auth.none());
  }

  /**
   * A server requiring {@code auth}. In operator mode JetStream is off: it would need a system
   * account, which these tests do not set up.
   */
  public static NatsServer start(Auth auth) throws IOException {
    NatsServer s = new NatsServer(Files.createTempDirectory("dynamo4j-nats-"), freePort(), freePort(), auth, auth.operatorJwt() == null);
    s.launch();
    return s;
  }

  /**
   * A server (with JetStream) that speaks TLS only, with {@code cert}/{@code key} (PEM), and that
   * requires client certificates signed by {@code clientCa} unless it is {@code null}.
   */
  public static NatsServer startWithTls(Path cert, Path key, Path clientCa) throws IOException {
    NatsServer s = new NatsServer(Files.createTempDirectory("dynamo4j-nats-"), freePort(), freePort(), Auth.none(), true);
    s.tlsCert = cert;
    s.tlsKey = key;
    s.tlsClientCa = clientCa;
    s.launch();
    return s;
  }

  /** {@code tls://127.0.0.1:<port>} */
  public String tlsUrl() {
    return "tls://127.0.0.1:" + port;
  }

  /** A server without JetStream, for the errors of KV, queues and object stores that need it. */
  public static NatsServer startWithoutJetStream() throws IOException {
    NatsServer s = new NatsServer(Files.createTempDirectory("dynamo4j-nats-"), freePort(), freePort(), Auth.none(), false);
    s.launch();
    return s;
  }

  static String binary() {
    for (String p : List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError("nats-server not found: install the Debian package nats-server (scripts/test does this as root)");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  protected String name() {
    return "nats-server";
  }

  @Override
  protected void launch() throws IOException {
    StringBuilder conf = new StringBuilder();
    conf.append("listen: 127.0.0.1:").append(port).append('\n');
    conf.append("http: 127.0.0.1:").append(monitorPort).append('\n');
    if (jetStream) {
      conf.append("jetstream {\n  store_dir: \"").append(dir.resolve("js")).append("\"\n  max_memory_store: 256MB\n  max_file_store: 2GB\n}\n");
    }
    if (tlsCert != null) {
      conf.append("tls {\n  cert_file: \"").append(tlsCert).append("\"\n  key_file: \"").append(tlsKey).append("\"\n  timeout: 2\n");
      if (tlsClientCa != null) {
        conf.append("  ca_file: \"").append(tlsClientCa).append("\"\n  verify: true\n");
      }
      conf.append("}\n");
    }
    if (auth.user() != null) {
      conf.append("authorization {\n  user: \"").append(auth.user()).append("\"\n  password: \"").append(auth.password()).append("\"\n}\n");
    } else if (auth.token() != null) {
      conf.append("authorization {\n  token: \"").append(auth.token()).append("\"\n}\n");
    } else if (auth.nkeyPublic() != null) {
      conf.append("authorization {\n  users: [ { nkey: \"").append(auth.nkeyPublic()).append("\" } ]\n}\n");
    } else if (auth.operatorJwt() != null) {
      conf.append("operator: \"").append(auth.operatorJwt()).append("\"\n");
      conf.append("resolver: MEMORY\n");
      conf.append("resolver_preload: {\n  ").append(auth.accountPublic()).append(": \"").append(auth.accountJwt()).append("\"\n}\n");
    }
    Path confFile = dir.resolve("nats.conf");
    Files.writeString(confFile, conf);
    process = track(new ProcessBuilder(binary(), "-c", confFile.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("nats.log").toFile())
        .start());
    awaitHealthy(Duration.ofSeconds(20));
  }

  private void awaitHealthy(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("nats-server exited with " + process.exitValue() + "; log: " + Files.readString(dir.resolve("nats.log")));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + monitorPort + "/healthz").toURL().openConnection();
        c.setConnectTimeout(200);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // poll interval of the readiness check
    }
    throw new IOException("nats-server not healthy after " + timeout + "; log in " + dir.resolve("nats.log"));
  }

  /** {@code nats://127.0.0.1:<port>} */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path storeDir() {
    return dir;
  }
}
