package dev.dynamo4j.nats;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.tls.ClientTls;
import io.nats.client.AuthHandler;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens jnats connections from a {@link NatsConfig}. Reconnection is jnats's job: it retries
 * forever, 250 ms apart, buffering outgoing messages meanwhile; dynamo4j's users of a connection
 * are written to survive it (watches resume, requests fail typed and are retried by callers).
 */
public final class NatsConnections {
  private NatsConnections() {}

  /**
   * Connects.
   *
   * @throws DynamoException {@code CannotConnect} "Failed to connect to NATS: ... Verify NATS
   *     server is running and accessible." (an authorization failure says so, rather than
   *     hanging)
   */
  public static Connection connect(NatsConfig config) {
    Options.Builder b = new Options.Builder()
        .servers(config.servers().toArray(String[]::new))
        .connectionTimeout(config.connectTimeout())
        .maxReconnects(-1)
        .reconnectWait(Duration.ofMillis(250))
        .noRandomize()
        .errorListener(new ErrorListener() {});
    if (config.tls().explicit()) {
      NatsConfig.Tls t = config.tls();
      b.sslContext(ClientTls.context(t.caCert(), t.insecure(), t.clientCert(), t.clientKey(), "NATS_TLS_*"));
    }
    switch (config.auth()) {
      case NatsConfig.Auth.None n -> {}
      case NatsConfig.Auth.UserPassword up -> b.userInfo(up.user(), up.password());
      case NatsConfig.Auth.Token t -> b.token(t.token().toCharArray());
      case NatsConfig.Auth.NKey k -> b.authHandler(nkeyHandler(k.seed()));
      case NatsConfig.Auth.CredentialsFile f -> b.authHandler(Nats.credentials(f.path()));
    }
    try {
      return Nats.connect(b.build());
    } catch (IOException e) {
      throw new DynamoException(ErrorType.CannotConnect,
          "Failed to connect to NATS: " + e.getMessage() + ". Verify NATS server is running and accessible.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DynamoException(ErrorType.Cancelled, "interrupted while connecting to NATS", e);
    } catch (RuntimeException e) {
      throw new DynamoException(ErrorType.CannotConnect,
          "Failed to connect to NATS: " + e.getMessage() + ". Verify NATS server is running and accessible.", e);
    }
  }

  /** {@code connected} (1 while {@code nc} is up) and {@code reconnects_total}, for the metrics. */
  public static Map<String, Long> gauges(Connection nc) {
    Map<String, Long> g = new LinkedHashMap<>();
    g.put("connected", nc.getStatus() == Connection.Status.CONNECTED ? 1L : 0L);
    g.put("reconnects_total", nc.getStatistics().getReconnects());
    return g;
  }

  /**
   * Fails unless JetStream is enabled for this account.
   *
   * @throws DynamoException {@code Unavailable} "JetStream not available: ..."
   */
  public static void requireJetStream(Connection nc) {
    try {
      nc.jetStreamManagement().getAccountStatistics();
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "JetStream not available: " + e.getMessage(), e);
    }
  }

  static AuthHandler nkeyHandler(String seed) {
    NKey key;
    try {
      key = NKey.fromSeed(seed.toCharArray());
    } catch (IllegalArgumentException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "NATS_AUTH_NKEY is not a valid NKey seed: " + e.getMessage(), e);
    }
    return new AuthHandler() {
      @Override
      public byte[] sign(byte[] nonce) {
        try {
          return key.sign(nonce);
        } catch (GeneralSecurityException | IOException e) {
          throw new IllegalStateException("cannot sign the NATS nonce with the NKey", e);
        }
      }

      @Override
      public char[] getID() {
        try {
          return key.getPublicKey();
        } catch (GeneralSecurityException | IOException e) {
          throw new IllegalStateException("cannot read the NKey's public key", e);
        }
      }

      @Override
      public char[] getJWT() {
        return null;
      }
    };
  }
}
