package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to reach NATS: {@code NATS_SERVER} (comma-separated, each {@code nats://...}, default {@code
 * nats://localhost:4222}) and the first credentials found in Dynamo's order: {@code
 * NATS_AUTH_USERNAME} + {@code NATS_AUTH_PASSWORD}, {@code NATS_AUTH_TOKEN}, {@code NATS_AUTH_NKEY}
 * (a seed), {@code NATS_AUTH_CREDENTIALS_FILE}. With none set dynamo4j connects without
 * credentials (Dynamo falls back to user {@code user} / password {@code user}). Builder calls
 * override the environment.
 */
public final class NatsConfig {
  /** Credentials; exactly one kind or none. */
  public sealed interface Auth {
    record None() implements Auth {}

    record UserPassword(String user, String password) implements Auth {
      @Override
      public String toString() {
        return "UserPassword[" + user + ", ***]";
      }
    }

    record Token(String token) implements Auth {
      @Override
      public String toString() {
        return "Token[***]";
      }
    }

    record NKey(String seed) implements Auth {
      @Override
      public String toString() {
        return "NKey[***]";
      }
    }

    record CredentialsFile(String path) implements Auth {}
  }

  /**
   * TLS to the NATS server, from Dynamo's {@code NATS_TLS_*} variables (its TLS guide): the CA that
   * signed the server's certificate ({@code NATS_TLS_CA_CERT_PATH}; without it, the JDK's default
   * trust store), {@code NATS_TLS_INSECURE} (no verification, development only), and a client
   * certificate for servers that verify clients ({@code NATS_TLS_CLIENT_CERT_PATH} + {@code
   * NATS_TLS_CLIENT_KEY_PATH}, which also need a CA or insecure mode). Any of them set requires
   * every server URL to use the {@code tls://} scheme; a {@code tls://} URL alone gives TLS
   * verified against the default trust store.
   */
  public record Tls(Path caCert, boolean insecure, Path clientCert, Path clientKey) {
    public static final Tls NONE = new Tls(null, false, null, null);

    /** Whether any {@code NATS_TLS_*} variable was given. */
    public boolean explicit() {
      return caCert != null || insecure || clientCert != null || clientKey != null;
    }
  }

  private final List<String> servers;
  private final Auth auth;
  private final Duration connectTimeout;
  private final Tls tls;

  private NatsConfig(List<String> servers, Auth auth, Duration connectTimeout, Tls tls) {
    this.servers = List.copyOf(servers);
    this.auth = auth;
    this.connectTimeout = connectTimeout;
    this.tls = tls;
  }

  /** TLS settings ({@link Tls#NONE} when no {@code NATS_TLS_*} variable is set). */
  public Tls tls() {
    return tls;
  }

  public List<String> servers() {
    return servers;
  }

  public Auth auth() {
    return auth;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public static NatsConfig fromEnv() {
    return builder(System.getenv()).build();
  }

  /** As {@link #fromEnv()}, with {@code servers} (comma-separated URLs) replacing NATS_SERVER unless {@code null}. */
  public static NatsConfig fromEnv(String servers) {
    Builder b = builder(System.getenv());
    if (servers != null) {
      b.servers(servers);
    }
    return b.build();
  }

  /**
   * What a runtime connects with: the servers of {@code config} ({@code NATS_SERVER} in its
   * {@link RuntimeConfig#variables()}, which a command-line option may set), else of the process
   * environment, and the credentials of the {@code NATS_AUTH_*} environment.
   */
  public static NatsConfig forRuntime(RuntimeConfig config) {
    return fromEnv(NatsSettings.SERVER.read(config.variables()));
  }

  public static Builder builder(Map<String, String> env) {
    Builder b = new Builder();
    String servers = NatsSettings.SERVER.read(env);
    if (servers != null) {
      b.servers(servers);
    }
    String user = NatsSettings.AUTH_USERNAME.read(env);
    String password = NatsSettings.AUTH_PASSWORD.read(env);
    String token = NatsSettings.AUTH_TOKEN.read(env);
    String nkey = NatsSettings.AUTH_NKEY.read(env);
    String creds = NatsSettings.AUTH_CREDENTIALS_FILE.read(env);
    if (user != null && password != null) {
      b.auth(new Auth.UserPassword(user, password));
    } else if (token != null) {
      b.auth(new Auth.Token(token));
    } else if (nkey != null) {
      b.auth(new Auth.NKey(nkey));
    } else if (creds != null) {
      b.auth(new Auth.CredentialsFile(creds));
    }
    String ca = NatsSettings.TLS_CA_CERT_PATH.read(env);
    String insecure = NatsSettings.TLS_INSECURE.read(env);
    String cert = NatsSettings.TLS_CLIENT_CERT_PATH.read(env);
    String key = NatsSettings.TLS_CLIENT_KEY_PATH.read(env);
    b.tls(new Tls(ca == null ? null : Path.of(ca),
        insecure != null && Set.of("1", "true", "on", "yes").contains(insecure.toLowerCase(Locale.ROOT)),
        cert == null ? null : Path.of(cert), key == null ? null : Path.of(key)));
    return b;
  }

  public static final class Builder {
    private List<String> servers = List.of("nats://localhost:4222");
    private Auth auth = new Auth.None();
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Tls tls = Tls.NONE;

    /**
     * @throws DynamoException {@code InvalidArgument} "server must start with 'nats://' or 'tls://'"
     */
    public Builder servers(String commaSeparated) {
      List<String> out = new ArrayList<>();
      for (String s : commaSeparated.split(",")) {
        String t = s.trim();
        if (t.isEmpty()) {
          continue;
        }
        if (!t.startsWith("nats://") && !t.startsWith("tls://")) {
          throw new DynamoException(ErrorType.InvalidArgument, "server must start with 'nats://' or 'tls://': '" + t + "'");
        }
        out.add(t);
      }
      if (out.isEmpty()) {
        throw new DynamoException(ErrorType.InvalidArgument, "NATS_SERVER names no server");
      }
      this.servers = out;
      return this;
    }

    public Builder auth(Auth auth) {
      this.auth = Objects.requireNonNull(auth);
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    public Builder tls(Tls tls) {
      this.tls = Objects.requireNonNull(tls);
      return this;
    }

    /**
     * @throws DynamoException {@code InvalidArgument} when a {@code NATS_TLS_*} variable is set but
     *     a server URL is not {@code tls://}, or the client certificate settings are incomplete
     */
    public NatsConfig build() {
      if (tls.explicit()) {
        for (String s : servers) {
          if (!s.startsWith("tls://")) {
            throw new DynamoException(ErrorType.InvalidArgument, "NATS_TLS_* is set, so NATS_SERVER must use the tls:// scheme, but it names '" + s + "'");
          }
        }
        if ((tls.clientCert() == null) != (tls.clientKey() == null)) {
          throw new DynamoException(ErrorType.InvalidArgument, "both NATS_TLS_CLIENT_CERT_PATH and NATS_TLS_CLIENT_KEY_PATH must be set together to present a client identity");
        }
        if (tls.clientCert() != null && tls.caCert() == null && !tls.insecure()) {
          throw new DynamoException(ErrorType.InvalidArgument, "a NATS client certificate (NATS_TLS_CLIENT_CERT_PATH) needs NATS_TLS_CA_CERT_PATH (or NATS_TLS_INSECURE for development) to verify the server");
        }
      }
      return new NatsConfig(servers, auth, connectTimeout, tls);
    }
  }
}
