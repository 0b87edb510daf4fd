package dev.dynamo4j.spi.config;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS of the TCP planes, read once from Dynamo's {@code DYN_TCP_TLS_*} variables (spec M4; the
 * rules below were checked in Dynamo's {@code tls_utils.rs} and {@code tcp/client.rs}). Every
 * process is both a TCP server (the request server; the response-stream listener of a caller)
 * and a TCP client (request connections; a worker's call-home and mux connections), so each
 * side is configured separately and both apply to every connection of that role.
 *
 * <p>Server role: {@code DYN_TCP_TLS_CERT_PATH} + {@code DYN_TCP_TLS_KEY_PATH} (PEM; both or
 * neither) turn TLS on; {@code DYN_TCP_TLS_CLIENT_CA_CERT_PATH} also requires every client to
 * present a certificate signed by that CA (mutual TLS) and needs the certificate and key.
 *
 * <p>Client role: TLS is on when any of {@code DYN_TCP_TLS_CA_CERT_PATH}, {@code
 * DYN_TCP_TLS_INSECURE} (1/true/yes/on), {@code DYN_TCP_TLS_CLIENT_CERT_PATH}, {@code
 * DYN_TCP_TLS_CLIENT_KEY_PATH} is set; it then needs a CA or insecure mode, and the client
 * certificate and key come as a pair. The server's certificate is checked against {@code
 * DYN_TCP_TLS_SERVER_NAME} when set, else against the host (usually an IP) of the address dialled.
 *
 * <p>Shared: {@code DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS} (default 3). Ours: {@code
 * DYN_TCP_TLS_RELOAD_SECS} (default 30, Dynamo's fixed interval; 0 = look at every handshake)
 * is how often the server certificate and the client identity are looked at again on disk (a
 * changed file is used for later handshakes, a broken one keeps the last good one); {@code
 * DYN_TCP_TLS_PROVIDER} ({@code auto}, {@code openssl}, {@code jdk}): BoringSSL through
 * netty-tcnative when it loads, else the JDK.
 *
 * <p>Failure: an incomplete or contradictory setting is an {@code InvalidArgument} error naming
 * the variables, when the runtime is configured (Dynamo fails the server at start and the client
 * on its first connection; here both fail at start). A setting that works but cannot talk to its
 * peers (a TLS server with no client trust configured, a plain client next to a TLS server
 * setting) is logged as a warning, as Dynamo does. No value is ever logged except file paths.
 */
public record TcpTlsSettings(
    Path certPath,
    Path keyPath,
    Path clientCaCertPath,
    Path caCertPath,
    boolean insecure,
    String serverName,
    Path clientCertPath,
    Path clientKeyPath,
    Duration handshakeTimeout,
    Duration reloadInterval,
    String provider) {
  private static final Logger log = LoggerFactory.getLogger(TcpTlsSettings.class);

  /** No TLS on either role. */
  public static final TcpTlsSettings OFF = new TcpTlsSettings(null, null, null, null, false, null, null, null, Duration.ofSeconds(3), Duration.ofSeconds(30), "auto");

  public TcpTlsSettings {
    if ((certPath == null) != (keyPath == null)) {
      throw invalid("both DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH must be set to enable TCP TLS on the server side");
    }
    if (clientCaCertPath != null && certPath == null) {
      throw invalid("DYN_TCP_TLS_CLIENT_CA_CERT_PATH requires DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH to also be set");
    }
    if ((clientCertPath == null) != (clientKeyPath == null)) {
      throw invalid("both DYN_TCP_TLS_CLIENT_CERT_PATH and DYN_TCP_TLS_CLIENT_KEY_PATH must be set together to present a client identity");
    }
    boolean clientRequested = caCertPath != null || insecure || clientCertPath != null;
    if (clientRequested && !insecure && caCertPath == null) {
      throw invalid("TCP TLS is enabled on the client side but DYN_TCP_TLS_CA_CERT_PATH is not set and DYN_TCP_TLS_INSECURE is not true; "
          + "provide a CA certificate or set insecure mode for development");
    }
    if (handshakeTimeout == null || handshakeTimeout.isZero() || handshakeTimeout.isNegative()) {
      throw invalid("DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS must be a positive number of seconds, got " + handshakeTimeout);
    }
    if (reloadInterval == null || reloadInterval.isNegative()) {
      throw invalid("DYN_TCP_TLS_RELOAD_SECS must not be negative, got " + reloadInterval);
    }
    provider = provider == null ? "auto" : provider.trim().toLowerCase(Locale.ROOT);
    if (!provider.equals("auto") && !provider.equals("openssl") && !provider.equals("jdk")) {
      throw invalid("Invalid DYN_TCP_TLS_PROVIDER value '" + provider + "': expected auto, openssl or jdk");
    }
  }

  /** Whether connections this process accepts speak TLS. */
  public boolean serverEnabled() {
    return certPath != null;
  }

  /** Whether accepted connections must present a client certificate. */
  public boolean mutual() {
    return clientCaCertPath != null;
  }

  /** Whether connections this process opens speak TLS. */
  public boolean clientEnabled() {
    return caCertPath != null || insecure || clientCertPath != null;
  }

  private static final Setting.Declarer CORE = Setting.in("dynamo4j-core");
  private static Setting<Path> pathSetting(String name, String description) {
    return CORE.custom(name, null, "(none)", description, Path::of);
  }

  public static final Setting<Path> CERT_PATH = pathSetting("DYN_TCP_TLS_CERT_PATH",
      "Server certificate (PEM): with DYN_TCP_TLS_KEY_PATH, TLS on the request server and the response-stream listener.");
  public static final Setting<Path> KEY_PATH = pathSetting("DYN_TCP_TLS_KEY_PATH", "Server private key (PEM: PKCS#8, PKCS#1 or SEC1), with DYN_TCP_TLS_CERT_PATH.");
  public static final Setting<Path> CLIENT_CA_CERT_PATH = pathSetting("DYN_TCP_TLS_CLIENT_CA_CERT_PATH",
      "CA that client certificates must chain to: the server then requires one (mutual TLS; needs the server's certificate and key).");
  public static final Setting<Path> CA_CERT_PATH = pathSetting("DYN_TCP_TLS_CA_CERT_PATH", "CA that peers' certificates are checked against: this process dials TLS.");
  public static final Setting<Boolean> INSECURE = CORE.custom("DYN_TCP_TLS_INSECURE", false, "false",
      "Dial TLS without checking the peer's certificate (development only); 1/true/on/yes, anything else is false (Dynamo's is_truthy).",
      TcpTlsSettings::truthy);
  public static final Setting<String> SERVER_NAME = CORE.text("DYN_TCP_TLS_SERVER_NAME", null,
      "The name a peer's certificate is checked against; default the host (usually an IP) of the address dialled.");
  public static final Setting<Path> CLIENT_CERT_PATH = pathSetting("DYN_TCP_TLS_CLIENT_CERT_PATH", "Client certificate presented to servers that require one (with _KEY_PATH).");
  public static final Setting<Path> CLIENT_KEY_PATH = pathSetting("DYN_TCP_TLS_CLIENT_KEY_PATH", "Client private key, with DYN_TCP_TLS_CLIENT_CERT_PATH.");
  public static final Setting<Duration> HANDSHAKE_TIMEOUT = CORE.seconds("DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS", Duration.ofSeconds(3), false,
      "Longest a TLS handshake may take, on either side.");
  public static final Setting<Duration> RELOAD = CORE.ours().seconds("DYN_TCP_TLS_RELOAD_SECS", Duration.ofSeconds(30), true,
      "How often rotated certificate and key files are looked at (on a handshake, no restart needed); 0 = at every handshake.");
  public static final Setting<String> PROVIDER = CORE.ours().oneOf("DYN_TCP_TLS_PROVIDER", "auto",
      "TLS implementation: auto (BoringSSL where it loads, else the JDK's), openssl (BoringSSL, or fail), jdk.", "auto", "openssl", "jdk");

  /** Every variable of this record. */
  public static final List<Setting<?>> SETTINGS = List.of(CERT_PATH, KEY_PATH, CLIENT_CA_CERT_PATH, CA_CERT_PATH, INSECURE, SERVER_NAME, CLIENT_CERT_PATH,
      CLIENT_KEY_PATH, HANDSHAKE_TIMEOUT, RELOAD, PROVIDER);

  /** {@code base} overridden by whichever variables {@code env} sets (blank counts as unset). */
  public static TcpTlsSettings fromEnv(Map<String, String> env, TcpTlsSettings base) {
    TcpTlsSettings s = new TcpTlsSettings(
        CERT_PATH.read(env, base.certPath),
        KEY_PATH.read(env, base.keyPath),
        CLIENT_CA_CERT_PATH.read(env, base.clientCaCertPath),
        CA_CERT_PATH.read(env, base.caCertPath),
        INSECURE.read(env, base.insecure),
        SERVER_NAME.read(env, base.serverName),
        CLIENT_CERT_PATH.read(env, base.clientCertPath),
        CLIENT_KEY_PATH.read(env, base.clientKeyPath),
        HANDSHAKE_TIMEOUT.read(env, base.handshakeTimeout),
        RELOAD.read(env, base.reloadInterval),
        PROVIDER.read(env, base.provider));
    s.warnAboutMismatches();
    return s;
  }

  /** Dynamo's start-up warnings for settings that work alone but not with peers set the same way. */
  void warnAboutMismatches() {
    if (serverEnabled() && !clientEnabled()) {
      log.warn("TCP TLS is on for connections this process accepts (DYN_TCP_TLS_CERT_PATH) but not for the ones it opens: "
          + "set DYN_TCP_TLS_CA_CERT_PATH (or DYN_TCP_TLS_INSECURE for development), or its calls to TLS peers will fail");
    }
    if (mutual() && clientCertPath == null) {
      log.warn("this server requires client certificates (DYN_TCP_TLS_CLIENT_CA_CERT_PATH) but presents none of its own "
          + "(DYN_TCP_TLS_CLIENT_CERT_PATH / _KEY_PATH): its connections to peers that also require them will fail the handshake");
    }
    if (!serverEnabled() && clientEnabled()) {
      log.warn("TCP TLS is on for connections this process opens but not for the ones it accepts: "
          + "set DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH, or TLS peers cannot reach this process");
    }
  }

  /** Dynamo's {@code is_truthy}: 1, true, on, yes, in any case. */
  private static boolean truthy(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "1", "true", "on", "yes" -> true;
      default -> false;
    };
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
