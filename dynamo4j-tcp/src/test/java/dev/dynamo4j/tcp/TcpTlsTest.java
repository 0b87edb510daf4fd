package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.testkit.TestCertificates;
import dev.dynamo4j.wire.TcpRequestFrame;
import io.netty.handler.ssl.OpenSsl;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS and mutual TLS on the TCP request plane and on both response paths (mux and Dynamo's
 * call-home), with certificates made for the test, on both TLS providers; and every failure a
 * user meets, each a {@code CannotConnect} that names its cause.
 */
@Timeout(120)
class TcpTlsTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static TestCertificates strangers; // another CA

  final List<DistributedRuntime> runtimes = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.create(dir.resolve("ours"));
    strangers = TestCertificates.create(dir.resolve("strangers"));
  }

  @AfterEach
  void closeRuntimes() {
    for (DistributedRuntime r : runtimes) {
      r.close();
    }
  }

  /** Server and client settings of a process that uses {@code server}'s certificate and trusts our CA. */
  static Map<String, String> tls(String provider, TestCertificates.Identity server) {
    Map<String, String> env = new HashMap<>();
    env.put("DYN_TCP_TLS_CERT_PATH", server.cert().file().toString());
    env.put("DYN_TCP_TLS_KEY_PATH", server.key().file().toString());
    env.put("DYN_TCP_TLS_CA_CERT_PATH", certs.ca().file().toString());
    env.put("DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS", "2");
    env.put("DYN_TCP_TLS_PROVIDER", provider);
    return env;
  }

  static TestCertificates.Identity serverIdentity() {
    return new TestCertificates.Identity(certs.serverCert(), certs.serverKey());
  }

  DistributedRuntime runtime(Map<String, String> env) {
    DistributedRuntime r = DistributedRuntime.builder().config(RuntimeConfig.builder(env).discoveryBackend("mem")
        .requestPlane("tcp").tcpRequestTimeout(Duration.ofSeconds(5)).build()).build();
    runtimes.add(r);
    return r;
  }

  /** A worker serving {@code ns/c/echo}, which answers each request with it, twice. */
  DistributedRuntime worker(String ns, Map<String, String> env) {
    DistributedRuntime w = runtime(env);
    w.namespace(ns).component("c").endpoint("echo").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of(req.value(), req.value())));
    return w;
  }

  Client<String, String> client(DistributedRuntime caller, String ns) throws Exception {
    Client<String, String> c = caller.namespace(ns).component("c").endpoint("echo").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    return c;
  }

  static long handshakeFailures(DistributedRuntime r) {
    return r.requestPlane().gauges().getOrDefault("server_tls_handshake_failures_total", -1L);
  }

  @Test
  void boringSslLoadsOnThisPlatform() {
    assertThat(OpenSsl.isAvailable()).as("netty-tcnative-boringssl-static: %s", OpenSsl.unavailabilityCause()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void requestsAndResponsesTravelOverTlsOnTheMuxAndOnCallHome(String provider) throws Exception {
    worker("tls-" + provider, tls(provider, serverIdentity()));
    Map<String, String> callerEnv = tls(provider, serverIdentity());
    assertThat(client(runtime(callerEnv), "tls-" + provider).call("over tls").toList()).containsExactly("over tls", "over tls");

    // Dynamo's per-stream call-home (no mux offered): the worker dials the caller's listener over TLS too
    Map<String, String> plainHome = new HashMap<>(tls(provider, serverIdentity()));
    plainHome.put("DYN_TCP_RESPONSE_MUX", "false");
    DistributedRuntime caller2 = runtime(plainHome);
    assertThat(client(caller2, "tls-" + provider).call("call home").toList()).containsExactly("call home", "call home");
  }

  @Test
  void aDynamoFramedRequestThroughTlsGetsItsAck() throws Exception {
    DistributedRuntime w = worker("tls-raw", tls("auto", serverIdentity()));
    String[] hp = ((TcpRequestPlane) w.requestPlane()).serverAddress().split(":");
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, trusting(certs.ca().file()).getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(hp[0], Integer.parseInt(hp[1]))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(new TcpRequestFrame("nope", Map.of(), new byte[0]).encode());
      out.flush();
      assertThat(readAck(s.getInputStream())).isEqualTo("Server unavailable: unknown endpoint nope");
      assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void mutualTlsServesClientsWithACertificateAndRefusesTheOthers(String provider) throws Exception {
    Map<String, String> mtls = tls(provider, serverIdentity());
    mtls.put("DYN_TCP_TLS_CLIENT_CA_CERT_PATH", certs.ca().file().toString());
    mtls.put("DYN_TCP_TLS_CLIENT_CERT_PATH", certs.clientCert().file().toString());
    mtls.put("DYN_TCP_TLS_CLIENT_KEY_PATH", certs.clientKey().file().toString());
    DistributedRuntime w = worker("mtls-" + provider, mtls);
    assertThat(client(runtime(mtls), "mtls-" + provider).call("both known").toList()).containsExactly("both known", "both known");

    Map<String, String> anonymous = new HashMap<>(mtls);
    anonymous.remove("DYN_TCP_TLS_CLIENT_CERT_PATH");
    anonymous.remove("DYN_TCP_TLS_CLIENT_KEY_PATH");
    anonymous.remove("DYN_TCP_TLS_CLIENT_CA_CERT_PATH");
    Client<String, String> c = client(runtime(anonymous), "mtls-" + provider);
    long before = handshakeFailures(w);
    assertThatThrownBy(() -> c.call("who am i").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("the server requires a client certificate");
    await().atMost(Duration.ofSeconds(10)).until(() -> handshakeFailures(w) > before); // the worker's side saw it too

    // a client certificate from another CA
    Map<String, String> foreign = new HashMap<>(anonymous);
    foreign.put("DYN_TCP_TLS_CLIENT_CERT_PATH", strangers.clientCert().file().toString());
    foreign.put("DYN_TCP_TLS_CLIENT_KEY_PATH", strangers.clientKey().file().toString());
    Client<String, String> f = client(runtime(foreign), "mtls-" + provider);
    assertThatThrownBy(() -> f.call("from elsewhere").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("client certificate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void anUnknownCaAnExpiredCertificateAndAWrongHostEachSayWhatIsWrong(String provider) throws Exception {
    worker("ca-" + provider, tls(provider, serverIdentity()));
    Map<String, String> distrustful = tls(provider, serverIdentity());
    distrustful.put("DYN_TCP_TLS_CA_CERT_PATH", strangers.ca().file().toString());
    Client<String, String> c = client(runtime(distrustful), "ca-" + provider);
    assertThatThrownBy(() -> c.call("x").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("TLS handshake with 127.0.0.1:")
        .hasMessageContaining("not signed by a CA this side trusts (DYN_TCP_TLS_CA_CERT_PATH)");

    TestCertificates.Identity expired = certs.issue("expired-" + provider, List.of("127.0.0.1"), Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)));
    worker("old-" + provider, tls(provider, expired));
    Client<String, String> o = client(runtime(tls(provider, serverIdentity())), "old-" + provider);
    assertThatThrownBy(() -> o.call("x").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("expired");

    TestCertificates.Identity elsewhere = certs.issue("elsewhere-" + provider, List.of("elsewhere.example"), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    worker("host-" + provider, tls(provider, elsewhere));
    Client<String, String> h = client(runtime(tls(provider, serverIdentity())), "host-" + provider);
    assertThatThrownBy(() -> h.call("x").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("not for the name this side checks (set DYN_TCP_TLS_SERVER_NAME");
    // ... and with the name it was made for, it is served (the caller's own listener uses the same name)
    Map<String, String> named = tls(provider, elsewhere);
    named.put("DYN_TCP_TLS_SERVER_NAME", "elsewhere.example");
    worker("named-" + provider, named);
    assertThat(client(runtime(named), "named-" + provider).call("by name").toList()).containsExactly("by name", "by name");
  }

  @Test
  void plainTextAndTlsPeersEachSayTheOtherSpeaksSomethingElse() throws Exception {
    DistributedRuntime tlsWorker = worker("mixed-tls", tls("auto", serverIdentity()));
    Client<String, String> plain = client(runtime(Map.of()), "mixed-tls");
    assertThatThrownBy(() -> plain.call("hello?").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("speaks TLS")
        .hasMessageContaining("DYN_TCP_TLS_CA_CERT_PATH");
    assertThat(handshakeFailures(tlsWorker)).isPositive();

    worker("mixed-plain", Map.of());
    Map<String, String> tlsCaller = tls("auto", serverIdentity());
    Client<String, String> t = client(runtime(tlsCaller), "mixed-plain");
    assertThatThrownBy(() -> t.call("hello?").toList())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageContaining("TLS handshake with")
        .hasMessageMatching("(?s).*(it may not serve TLS|does not serve TLS).*");
  }

  @Test
  void insecureModeTrustsAnyServer() throws Exception {
    worker("insecure", tls("auto", new TestCertificates.Identity(strangers.serverCert(), strangers.serverKey())));
    Map<String, String> env = new HashMap<>(tls("auto", serverIdentity()));
    env.remove("DYN_TCP_TLS_CA_CERT_PATH");
    env.put("DYN_TCP_TLS_INSECURE", "true");
    assertThat(client(runtime(env), "insecure").call("trust me").toList()).containsExactly("trust me", "trust me");
  }

  @Test
  void aSilentServerFailsTheHandshakeWithinItsTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CountDownLatch accepted = new CountDownLatch(1);
      Thread.ofVirtual().start(() -> {
        try (Socket s = silent.accept()) {
          accepted.countDown();
          s.getInputStream().readAllBytes(); // says nothing, until the client gives up
        } catch (Exception ignored) {
          // closed
        }
      });
      Map<String, String> env = tls("auto", serverIdentity());
      env.put("DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS", "1");
      TcpRequestPlane plane = new TcpRequestPlane(RuntimeConfig.builder(env).build());
      try {
        assertThatThrownBy(() -> plane.client().send(new TransportType.Tcp("127.0.0.1:" + silent.getLocalPort() + "/x"), Map.of(), new byte[0]))
            .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
            .hasMessageContaining("did not finish within the handshake timeout (DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS)");
        assertThat(accepted.getCount()).isZero();
      } finally {
        plane.close();
      }
    }
  }

  @Test
  void badFilesFailAtStartNamingTheFileAndNeverTheKey() throws Exception {
    Map<String, String> missing = tls("auto", serverIdentity());
    missing.put("DYN_TCP_TLS_KEY_PATH", dir.resolve("nope.pem").toString());
    assertThatThrownBy(() -> new TcpRequestPlane(RuntimeConfig.builder(missing).build()))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessageContaining("cannot read server key " + dir.resolve("nope.pem"));

    Map<String, String> mismatched = tls("auto", serverIdentity());
    mismatched.put("DYN_TCP_TLS_KEY_PATH", certs.clientKey().file().toString());
    String keyText = certs.clientKey().text();
    assertThatThrownBy(() -> new TcpRequestPlane(RuntimeConfig.builder(mismatched).build()))
        .hasMessageContaining("do not match")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyText.lines().skip(1).findFirst().orElseThrow()));

    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Map<String, String> garbage = tls("auto", serverIdentity());
    garbage.put("DYN_TCP_TLS_CA_CERT_PATH", notPem.toString());
    assertThatThrownBy(() -> new TcpRequestPlane(RuntimeConfig.builder(garbage).build()))
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void aRotatedServerCertificateIsUsedForLaterHandshakesWithoutARestart() throws Exception {
    Path live = dir.resolve("live");
    Files.createDirectories(live);
    Path cert = Files.copy(certs.serverCert().file(), live.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
    Path key = Files.copy(certs.serverKey().file(), live.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
    Map<String, String> env = tls("auto", new TestCertificates.Identity(new TestCertificates.Pem("", cert), new TestCertificates.Pem("", key)));
    env.put("DYN_TCP_TLS_RELOAD_SECS", "0");
    DistributedRuntime w = worker("rotate", env);
    String[] hp = ((TcpRequestPlane) w.requestPlane()).serverAddress().split(":");
    BigInteger first = serverSerial(hp[0], Integer.parseInt(hp[1]));
    assertThat(first).isEqualTo(((X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(Files.newInputStream(certs.serverCert().file()))).getSerialNumber());

    TestCertificates.Identity next = certs.issue("rotated", List.of("127.0.0.1"), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    Files.copy(next.key().file(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.cert().file(), cert, StandardCopyOption.REPLACE_EXISTING);
    await().atMost(Duration.ofSeconds(20)).until(() -> !serverSerial(hp[0], Integer.parseInt(hp[1])).equals(first));
    // a broken file keeps the last good certificate
    Files.writeString(cert, "not a certificate");
    BigInteger rotated = serverSerial(hp[0], Integer.parseInt(hp[1]));
    for (int i = 0; i < 5; i++) {
      assertThat(serverSerial(hp[0], Integer.parseInt(hp[1]))).isEqualTo(rotated);
    }
    assertThat(client(runtime(tls("auto", serverIdentity())), "rotate").call("still").toList()).containsExactly("still", "still");
  }

  static BigInteger serverSerial(String host, int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, trusting(certs.ca().file()).getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(host, port)) {
      s.setSoTimeout(10_000);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  static TrustManagerFactory trusting(Path ca) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(ca)));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    return tmf;
  }

  static String readAck(InputStream in) throws Exception {
    DataInputStream d = new DataInputStream(in);
    byte[] body = new byte[d.readInt()];
    d.readFully(body);
    return new String(body, StandardCharsets.UTF_8);
  }
}
