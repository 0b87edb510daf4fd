package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.NKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real servers configured for each kind of credential; a wrong one is a prompt, clear error. */
@Timeout(60)
class NatsAuthTest {
  static NatsConfig config(NatsServer s, NatsConfig.Auth auth) {
    return NatsConfig.builder(Map.of()).servers(s.url()).auth(auth).connectTimeout(Duration.ofSeconds(2)).build();
  }

  static void assertConnects(NatsServer s, NatsConfig.Auth auth) throws Exception {
    Connection nc = NatsConnections.connect(config(s, auth));
    try {
      assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
      NatsConnections.requireJetStream(nc);
    } finally {
      nc.close();
    }
  }

  static void assertRefused(NatsServer s, NatsConfig.Auth auth) {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> NatsConnections.connect(config(s, auth)))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.CannotConnect);
          assertThat(e.getMessage()).startsWith("Failed to connect to NATS:").endsWith("Verify NATS server is running and accessible.");
        });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused, not hung").isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void userAndPassword() throws Exception {
    try (NatsServer s = NatsServer.start(NatsServer.Auth.userPassword("dyn", "s3cret"))) {
      assertConnects(s, new NatsConfig.Auth.UserPassword("dyn", "s3cret"));
      assertRefused(s, new NatsConfig.Auth.UserPassword("dyn", "wrong"));
      assertRefused(s, new NatsConfig.Auth.None());
    }
  }

  @Test
  void token() throws Exception {
    try (NatsServer s = NatsServer.start(NatsServer.Auth.token("t0ken"))) {
      assertConnects(s, new NatsConfig.Auth.Token("t0ken"));
      assertRefused(s, new NatsConfig.Auth.Token("other"));
    }
  }

  @Test
  void nkeyGeneratedForTheTest() throws Exception {
    NKey user = NKey.createUser(new SecureRandom());
    NKey stranger = NKey.createUser(new SecureRandom());
    try (NatsServer s = NatsServer.start(NatsServer.Auth.nkey(new String(user.getPublicKey())))) {
      assertConnects(s, new NatsConfig.Auth.NKey(new String(user.getSeed())));
      assertRefused(s, new NatsConfig.Auth.NKey(new String(stranger.getSeed())));
    }
    assertThatThrownBy(() -> NatsConnections.nkeyHandler("not-a-seed")).hasMessageContaining("not a valid NKey seed");
  }

  @Test
  void noServerIsAClearError() throws Exception {
    NatsServer s = NatsServer.start();
    String url = s.url();
    s.close();
    assertThatThrownBy(() -> NatsConnections.connect(NatsConfig.builder(Map.of()).servers(url).connectTimeout(Duration.ofSeconds(1)).build()))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect));
  }
}
