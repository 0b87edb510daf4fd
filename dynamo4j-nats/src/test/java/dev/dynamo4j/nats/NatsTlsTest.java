package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.testkit.NatsServer;
import dev.dynamo4j.testkit.TestCertificates;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * NATS over TLS with Dynamo's {@code NATS_TLS_*} variables, against a real nats-server that
 * speaks TLS only (and, in one test, requires client certificates).
 */
@Timeout(90)
class NatsTlsTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static TestCertificates strangers;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.create(dir.resolve("ours"));
    strangers = TestCertificates.create(dir.resolve("strangers"));
  }

  static NatsConfig config(NatsServer s, Map<String, String> env) {
    Map<String, String> e = new HashMap<>(env);
    e.put("NATS_SERVER", s.tlsUrl());
    return NatsConfig.builder(e).connectTimeout(Duration.ofSeconds(3)).build();
  }

  static void assertRoundTrip(NatsConfig config) throws Exception {
    Connection nc = NatsConnections.connect(config);
    try {
      NatsConnections.requireJetStream(nc);
      Subscription sub = nc.subscribe("tls.check");
      nc.publish("tls.check", "over tls".getBytes(StandardCharsets.UTF_8));
      Message m = sub.nextMessage(Duration.ofSeconds(5));
      assertThat(m).isNotNull();
      assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("over tls");
    } finally {
      nc.close();
    }
  }

  static void assertRefused(NatsConfig config) {
    assertThatThrownBy(() -> NatsConnections.connect(config))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
        .hasMessageStartingWith("Failed to connect to NATS:");
  }

  @Test
  void aCaVerifiesTheServerAndAnotherCaOrTheDefaultTrustStoreDoesNot() throws Exception {
    try (NatsServer s = NatsServer.startWithTls(certs.serverCert().file(), certs.serverKey().file(), null)) {
      assertRoundTrip(config(s, Map.of("NATS_TLS_CA_CERT_PATH", certs.ca().file().toString())));
      assertRefused(config(s, Map.of("NATS_TLS_CA_CERT_PATH", strangers.ca().file().toString())));
      assertRefused(config(s, Map.of())); // tls:// alone: the JDK's trust store, which does not know our CA
      assertRoundTrip(config(s, Map.of("NATS_TLS_INSECURE", "true")));
    }
  }

  @Test
  void aServerThatVerifiesClientsServesOnlyThoseWithACertificateItsCaSigned() throws Exception {
    try (NatsServer s = NatsServer.startWithTls(certs.serverCert().file(), certs.serverKey().file(), certs.ca().file())) {
      Map<String, String> mtls = Map.of("NATS_TLS_CA_CERT_PATH", certs.ca().file().toString(),
          "NATS_TLS_CLIENT_CERT_PATH", certs.clientCert().file().toString(), "NATS_TLS_CLIENT_KEY_PATH", certs.clientKey().file().toString());
      assertRoundTrip(config(s, mtls));
      assertRefused(config(s, Map.of("NATS_TLS_CA_CERT_PATH", certs.ca().file().toString())));
      assertRefused(config(s, Map.of("NATS_TLS_CA_CERT_PATH", certs.ca().file().toString(),
          "NATS_TLS_CLIENT_CERT_PATH", strangers.clientCert().file().toString(), "NATS_TLS_CLIENT_KEY_PATH", strangers.clientKey().file().toString())));
    }
  }

  @Test
  void explicitTlsSettingsNeedTlsUrlsAndCompleteIdentities() {
    assertThatThrownBy(() -> NatsConfig.builder(Map.of("NATS_SERVER", "nats://127.0.0.1:4222", "NATS_TLS_CA_CERT_PATH", "/ca.pem")).build())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessageContaining("NATS_SERVER must use the tls:// scheme");
    assertThatThrownBy(() -> NatsConfig.builder(Map.of("NATS_SERVER", "tls://127.0.0.1:4222", "NATS_TLS_CA_CERT_PATH", "/ca.pem", "NATS_TLS_CLIENT_CERT_PATH", "/c.pem")).build())
        .hasMessageContaining("NATS_TLS_CLIENT_CERT_PATH and NATS_TLS_CLIENT_KEY_PATH must be set together");
    assertThatThrownBy(() -> NatsConfig.builder(Map.of("NATS_SERVER", "tls://127.0.0.1:4222", "NATS_TLS_CLIENT_CERT_PATH", "/c.pem", "NATS_TLS_CLIENT_KEY_PATH", "/k.pem")).build())
        .hasMessageContaining("needs NATS_TLS_CA_CERT_PATH");
    assertThat(NatsConfig.builder(Map.of("NATS_SERVER", "tls://127.0.0.1:4222")).build().tls().explicit()).isFalse();
    // an unreadable CA file is named at connect time, before any network
    NatsConfig missing = NatsConfig.builder(Map.of("NATS_SERVER", "tls://127.0.0.1:4222", "NATS_TLS_CA_CERT_PATH", dir.resolve("absent.pem").toString())).build();
    assertThatThrownBy(() -> NatsConnections.connect(missing))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessageContaining("cannot read CA certificate (NATS_TLS_*) " + dir.resolve("absent.pem"));
  }
}
