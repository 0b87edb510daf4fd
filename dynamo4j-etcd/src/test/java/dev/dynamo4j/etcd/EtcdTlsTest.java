package dev.dynamo4j.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.testkit.EtcdServer;
import dev.dynamo4j.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ETCD_AUTH_CA / _CLIENT_CERT / _CLIENT_KEY as file paths or as PEM text, against etcd requiring client certificates. */
@Timeout(60)
class EtcdTlsTest {
  static TestCertificates certs;
  static EtcdServer etcd;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.create(Files.createTempDirectory("dynamo4j-certs-"));
    etcd = EtcdServer.startTls(certs);
  }

  @AfterAll
  static void stop() throws Exception {
    etcd.close();
  }

  static void roundTrip(Map<String, String> env) {
    try (EtcdKeyValueStore st = EtcdKeyValueStore.connect(EtcdConfig.builder(env).build(), Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW)) {
      var bucket = st.getOrCreateBucket("tls", null);
      bucket.insert("k" + System.nanoTime(), "v".getBytes(StandardCharsets.UTF_8), 0);
      assertThat(bucket.entries()).isNotEmpty();
    }
  }

  @Test
  void certificateAndKeyGivenAsFilePathsConnectOverTlsWithAClientCertificate() {
    assertThat(etcd.endpoint()).startsWith("https://");
    roundTrip(Map.of("ETCD_ENDPOINTS", etcd.endpoint(),
        "ETCD_AUTH_CA", certs.ca().file().toString(),
        "ETCD_AUTH_CLIENT_CERT", certs.clientCert().file().toString(),
        "ETCD_AUTH_CLIENT_KEY", certs.clientKey().file().toString()));
  }

  @Test
  void certificateAndKeyGivenAsPemTextConnectOverTlsWithAClientCertificate() {
    roundTrip(Map.of("ETCD_ENDPOINTS", etcd.endpoint(),
        "ETCD_AUTH_CA", certs.ca().text(),
        "ETCD_AUTH_CLIENT_CERT", certs.clientCert().text(),
        "ETCD_AUTH_CLIENT_KEY", certs.clientKey().text()));
  }

  @Test
  void withoutAClientCertificateEtcdRefusesAndWeSaySo() {
    EtcdConfig cfg = EtcdConfig.builder(Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "ETCD_AUTH_CA", certs.ca().file().toString()))
        .connectTimeout(Duration.ofSeconds(2)).build();
    assertThatThrownBy(() -> EtcdKeyValueStore.connect(cfg, Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW))
        .isInstanceOf(StoreException.class).hasMessageContaining(etcd.endpoint()).hasMessageContaining("check ETCD_AUTH_CA, ETCD_AUTH_CLIENT_CERT");
  }

  @Test
  void badMaterialIsRefusedNamingTheVariable() {
    assertThatThrownBy(() -> EtcdConfig.builder(Map.of("ETCD_AUTH_CA", "/no/such/ca.pem")).build())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessageContaining("ETCD_AUTH_CA is neither PEM text nor a readable file: /no/such/ca.pem");
    assertThatThrownBy(() -> EtcdConfig.builder(Map.of("ETCD_AUTH_CLIENT_CERT", certs.clientCert().text())).build())
        .hasMessageContaining("set both ETCD_AUTH_CLIENT_CERT and ETCD_AUTH_CLIENT_KEY");
    assertThatThrownBy(() -> EtcdConfig.builder(Map.of("ETCD_ENDPOINTS", "localhost:2379")).build())
        .hasMessageContaining("ETCD_ENDPOINTS: 'localhost:2379' is not an http:// or https:// URL");
    Path notPem = certs.ca().file().resolveSibling("ca.pem");
    assertThat(new EtcdConfig.Pem("ETCD_AUTH_CA", notPem.toString()).isInline()).isFalse();
    assertThat(new EtcdConfig.Pem("ETCD_AUTH_CA", certs.ca().text()).isInline()).isTrue();
    assertThat(new EtcdConfig.Pem("ETCD_AUTH_CA", certs.ca().text()).toString()).isEqualTo("ETCD_AUTH_CA=<PEM text>");
  }
}
