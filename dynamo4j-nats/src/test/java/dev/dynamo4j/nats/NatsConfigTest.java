package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The §3.6 vectors and Dynamo's auth order. */
class NatsConfigTest {
  @Test
  void envGivesServerAndUserPassword() {
    NatsConfig c = NatsConfig.builder(Map.of("NATS_SERVER", "nats://localhost:5222", "NATS_AUTH_USERNAME", "user", "NATS_AUTH_PASSWORD", "pass")).build();
    assertThat(c.servers()).containsExactly("nats://localhost:5222");
    assertThat(c.auth()).isEqualTo(new NatsConfig.Auth.UserPassword("user", "pass"));
  }

  @Test
  void builderOverridesBeatEnv() {
    NatsConfig c = NatsConfig.builder(Map.of("NATS_SERVER", "nats://localhost:5222", "NATS_AUTH_USERNAME", "user", "NATS_AUTH_PASSWORD", "pass"))
        .servers("nats://localhost:6222")
        .auth(new NatsConfig.Auth.Token("token"))
        .build();
    assertThat(c.servers()).containsExactly("nats://localhost:6222");
    assertThat(c.auth()).isEqualTo(new NatsConfig.Auth.Token("token"));
  }

  @Test
  void authFollowsDynamosOrderAndDefaultsToNone() {
    assertThat(NatsConfig.builder(Map.of()).build().auth()).isInstanceOf(NatsConfig.Auth.None.class);
    assertThat(NatsConfig.builder(Map.of()).build().servers()).containsExactly("nats://localhost:4222");
    assertThat(NatsConfig.builder(Map.of("NATS_AUTH_USERNAME", "u", "NATS_AUTH_TOKEN", "t")).build().auth()).isEqualTo(new NatsConfig.Auth.Token("t"));
    assertThat(NatsConfig.builder(Map.of("NATS_AUTH_NKEY", "SU...", "NATS_AUTH_CREDENTIALS_FILE", "/x")).build().auth())
        .isInstanceOf(NatsConfig.Auth.NKey.class);
    assertThat(NatsConfig.builder(Map.of("NATS_AUTH_CREDENTIALS_FILE", "/x.creds")).build().auth()).isEqualTo(new NatsConfig.Auth.CredentialsFile("/x.creds"));
    assertThat(NatsConfig.builder(Map.of("NATS_SERVER", "nats://a:1, nats://b:2")).build().servers()).containsExactly("nats://a:1", "nats://b:2");
    assertThat(new NatsConfig.Auth.UserPassword("u", "secret").toString()).doesNotContain("secret");
  }

  @Test
  void serversMustBeNatsUrls() {
    assertThatThrownBy(() -> NatsConfig.builder(Map.of("NATS_SERVER", "http://a:1")).build()).hasMessageContaining("server must start with 'nats://' or 'tls://'");
  }

  @Test
  void keysAndBucketNamesAreEncodedForNats() {
    assertThat(NatsKeyValueStore.bucketName("v1/instances")).isEqualTo("v1_instances");
    assertThat(NatsKeyValueStore.encodeKey("ns.one/comp/ep/1a")).isEqualTo("ns=2Eone/comp/ep/1a");
    for (String k : new String[] {"a b%c=d.é/x", "namespace/ns%2Eone/topic/t/ff", "plain-key_1"}) {
      assertThat(NatsKeyValueStore.encodeKey(k)).matches("[-/_=A-Za-z0-9]+");
      assertThat(NatsKeyValueStore.decodeKey(NatsKeyValueStore.encodeKey(k))).isEqualTo(k);
    }
  }
}
