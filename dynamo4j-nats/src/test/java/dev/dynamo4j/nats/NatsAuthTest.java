package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Subscription;
import io.nats.client.support.JwtUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
  void aUserPasswordServerAdmitsItsUserAndRefusesAWrongPasswordOrNone() throws Exception {
    try (NatsServer s = NatsServer.start(NatsServer.Auth.userPassword("dyn", "s3cret"))) {
      assertConnects(s, new NatsConfig.Auth.UserPassword("dyn", "s3cret"));
      assertRefused(s, new NatsConfig.Auth.UserPassword("dyn", "wrong"));
      assertRefused(s, new NatsConfig.Auth.None());
    }
  }

  @Test
  void aTokenServerAdmitsItsTokenAndRefusesAnother() throws Exception {
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

  /** A decentralized-auth setup made for the test: operator, one account, users with creds files. */
  static final class Operator {
    final NKey operator = NKey.createOperator(new SecureRandom());
    final NKey account = NKey.createAccount(new SecureRandom());
    final String operatorJwt;
    final String accountJwt;

    Operator() throws Exception {
      String op = new String(operator.getPublicKey());
      operatorJwt = JwtUtils.issueJWT(operator, op, "test-operator", null, JwtUtils.currentTimeSeconds(), op,
          () -> "{\"type\":\"operator\",\"version\":2}");
      accountJwt = JwtUtils.issueJWT(operator, new String(account.getPublicKey()), "test-account", null, JwtUtils.currentTimeSeconds(), op,
          () -> "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,\"wildcards\":true,\"conn\":-1,"
              + "\"leaf\":-1,\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1},\"type\":\"account\",\"version\":2}");
    }

    NatsServer.Auth serverAuth() throws Exception {
      return NatsServer.Auth.operator(operatorJwt, new String(account.getPublicKey()), accountJwt);
    }

    /** A creds file (user JWT + seed, nsc's format) for a new user signed by {@code signer}. */
    static Path creds(Path dir, NKey signer) throws Exception {
      NKey user = NKey.createUser(new SecureRandom());
      String jwt = JwtUtils.issueUserJWT(signer, new String(signer.getPublicKey()), new String(user.getPublicKey()), "test-user");
      Path f = Files.createTempFile(dir, "user-", ".creds");
      Files.writeString(f, "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
          + "************************* IMPORTANT *************************\n"
          + "NKEY Seed printed below can be used to sign and prove identity.\n\n"
          + "-----BEGIN USER NKEY SEED-----\n" + new String(user.getSeed()) + "\n------END USER NKEY SEED------\n");
      return f;
    }
  }

  @Test
  void credentialsFileAgainstAServerInOperatorMode(@TempDir Path dir) throws Exception {
    Operator o = new Operator();
    Path good = Operator.creds(dir, o.account);
    Path foreign = Operator.creds(dir, NKey.createAccount(new SecureRandom()));
    try (NatsServer s = NatsServer.start(o.serverAuth())) {
      // from the environment, as Dynamo reads it
      NatsConfig fromEnv = NatsConfig.builder(Map.of("NATS_SERVER", s.url(), "NATS_AUTH_CREDENTIALS_FILE", good.toString())).build();
      assertThat(fromEnv.auth()).isEqualTo(new NatsConfig.Auth.CredentialsFile(good.toString()));
      try (Connection nc = NatsConnections.connect(fromEnv)) {
        assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
        Subscription sub = nc.subscribe("creds.check");
        nc.publish("creds.check", new byte[] {42});
        assertThat(sub.nextMessage(Duration.ofSeconds(5)).getData()).containsExactly(42);
      }
      assertRefused(s, new NatsConfig.Auth.CredentialsFile(foreign.toString()));
      assertRefused(s, new NatsConfig.Auth.None());
    }
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
