package dev.dynamo4j.etcd;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to reach etcd, from Dynamo's environment variables with builder overrides on top.
 *
 * <ul>
 *   <li>{@code ETCD_ENDPOINTS}: comma-separated {@code http://} or {@code https://} URLs, default
 *       {@code http://localhost:2379};
 *   <li>{@code ETCD_AUTH_USERNAME} and {@code ETCD_AUTH_PASSWORD}: etcd user authentication (both
 *       or neither);
 *   <li>{@code ETCD_AUTH_CA}, {@code ETCD_AUTH_CLIENT_CERT}, {@code ETCD_AUTH_CLIENT_KEY}: TLS.
 *       Each value is either PEM text (it starts with {@code -----BEGIN}) or the path of a PEM
 *       file: Dynamo's code reads the values as PEM while its docs call them paths, so both work
 *       here. The CA alone gives server-verified TLS; the certificate and key (PKCS#8) add client
 *       authentication and must come together.
 * </ul>
 *
 * <p>Bad values fail at construction with {@code InvalidArgument} naming the variable.
 */
public record EtcdConfig(List<URI> endpoints, String username, String password, Pem ca, Pem clientCert, Pem clientKey, Duration connectTimeout) {
  public static final String DEFAULT_ENDPOINT = "http://localhost:2379";

  /** PEM material given as text or as a file path. */
  public record Pem(String variable, String value) {
    public boolean isInline() {
      return value.stripLeading().startsWith("-----BEGIN");
    }

    /** The PEM bytes; a path that cannot be read is an {@code InvalidArgument} naming the variable. */
    public InputStream open() {
      if (isInline()) {
        return new ByteArrayInputStream(value.getBytes(StandardCharsets.US_ASCII));
      }
      try {
        return Files.newInputStream(Path.of(value));
      } catch (IOException e) {
        throw new DynamoException(ErrorType.InvalidArgument, variable + " is neither PEM text nor a readable file: " + value + " (" + e.getMessage() + ")", e);
      }
    }

    @Override
    public String toString() {
      return variable + "=" + (isInline() ? "<PEM text>" : value);
    }
  }

  public EtcdConfig {
    if (endpoints.isEmpty()) {
      throw new DynamoException(ErrorType.InvalidArgument, "ETCD_ENDPOINTS names no endpoint");
    }
    for (URI u : endpoints) {
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
        throw new DynamoException(ErrorType.InvalidArgument, "ETCD_ENDPOINTS: '" + u + "' is not an http:// or https:// URL");
      }
    }
    if ((username == null) != (password == null)) {
      throw new DynamoException(ErrorType.InvalidArgument, "set both ETCD_AUTH_USERNAME and ETCD_AUTH_PASSWORD, or neither");
    }
    if ((clientCert == null) != (clientKey == null)) {
      throw new DynamoException(ErrorType.InvalidArgument, "set both ETCD_AUTH_CLIENT_CERT and ETCD_AUTH_CLIENT_KEY, or neither");
    }
    for (Pem p : new Pem[] {ca, clientCert, clientKey}) {
      if (p != null) {
        try (InputStream in = p.open()) {
          // readable: checked now rather than at the first connection
        } catch (IOException e) {
          throw new DynamoException(ErrorType.InvalidArgument, p.variable() + ": " + e.getMessage(), e);
        }
      }
    }
    endpoints = List.copyOf(endpoints);
  }

  public boolean tls() {
    return ca != null || clientCert != null || endpoints.stream().anyMatch(u -> u.getScheme().equals("https"));
  }

  /** From the process environment. */
  public static EtcdConfig fromEnv() {
    return builder(System.getenv()).build();
  }

  /** For a runtime: {@code ETCD_*} from the environment, endpoints from the runtime's {@link RuntimeConfig#variables()} (if set there). */
  public static EtcdConfig forRuntime(RuntimeConfig config) {
    return builder(System.getenv()).endpoints(EtcdSettings.ENDPOINTS.read(config.variables())).build();
  }

  /** A builder starting from {@code env}; its setters override the environment. */
  public static Builder builder(Map<String, String> env) {
    return new Builder(env);
  }

  @Override
  public String toString() {
    return "EtcdConfig" + endpoints + (username == null ? "" : " user " + username) + (tls() ? " TLS" : "");
  }

  public static final class Builder {
    private String endpoints;
    private String username;
    private String password;
    private String ca;
    private String cert;
    private String key;
    private Duration connectTimeout = Duration.ofSeconds(5);

    Builder(Map<String, String> env) {
      endpoints = EtcdSettings.ENDPOINTS.read(env);
      username = EtcdSettings.AUTH_USERNAME.read(env);
      password = EtcdSettings.AUTH_PASSWORD.read(env);
      ca = EtcdSettings.AUTH_CA.read(env);
      cert = EtcdSettings.AUTH_CLIENT_CERT.read(env);
      key = EtcdSettings.AUTH_CLIENT_KEY.read(env);
    }

    /** Comma-separated URLs; null keeps the environment's (or the default). */
    public Builder endpoints(String commaSeparated) {
      if (commaSeparated != null) {
        this.endpoints = commaSeparated;
      }
      return this;
    }

    public Builder user(String username, String password) {
      this.username = username;
      this.password = password;
      return this;
    }

    /** TLS material, each PEM text or a path; nulls leave TLS off. */
    public Builder tls(String ca, String clientCert, String clientKey) {
      this.ca = ca;
      this.cert = clientCert;
      this.key = clientKey;
      return this;
    }

    public Builder connectTimeout(Duration t) {
      this.connectTimeout = t;
      return this;
    }

    public EtcdConfig build() {
      List<URI> uris = new ArrayList<>();
      for (String s : (endpoints == null ? DEFAULT_ENDPOINT : endpoints).split(",")) {
        if (s.isBlank()) {
          continue;
        }
        try {
          uris.add(URI.create(s.strip()));
        } catch (IllegalArgumentException e) {
          throw new DynamoException(ErrorType.InvalidArgument, "ETCD_ENDPOINTS: '" + s.strip() + "' is not a URL", e);
        }
      }
      return new EtcdConfig(uris, username, password,
          ca == null ? null : new Pem("ETCD_AUTH_CA", ca),
          cert == null ? null : new Pem("ETCD_AUTH_CLIENT_CERT", cert),
          key == null ? null : new Pem("ETCD_AUTH_CLIENT_KEY", key),
          connectTimeout);
    }
  }
}
