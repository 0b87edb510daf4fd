package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.List;
import java.util.Map;

/**
 * The variables the NATS module reads, declared once each. Authentication takes the first complete one of user/password, token, nkey,
 * credentials file.
 */
public final class NatsSettings implements SettingsProvider {
  private static final Setting.Declarer NATS = Setting.in("dynamo4j-nats");
  /** Servers; a runtime's command line sets it through {@code RuntimeConfig.Builder#variable}. */
  public static final Setting<String> SERVER = NATS.text("NATS_SERVER", null,
      "NATS servers (comma-separated nats:// URLs) for the NATS planes, store and queues; default nats://localhost:4222.");
  static final Setting<String> AUTH_USERNAME = NATS.text("NATS_AUTH_USERNAME", null, "NATS user name (with NATS_AUTH_PASSWORD).");
  static final Setting<String> AUTH_PASSWORD = NATS.text("NATS_AUTH_PASSWORD", null, "NATS password (with NATS_AUTH_USERNAME).");
  static final Setting<String> AUTH_TOKEN = NATS.text("NATS_AUTH_TOKEN", null, "NATS token, when there is no user and password.");
  static final Setting<String> AUTH_NKEY = NATS.text("NATS_AUTH_NKEY", null, "NATS nkey seed, when there is no user/password or token.");
  static final Setting<String> AUTH_CREDENTIALS_FILE = NATS.text("NATS_AUTH_CREDENTIALS_FILE", null, "NATS credentials (.creds) file, when nothing else is set.");
  static final Setting<String> TLS_CA_CERT_PATH = NATS.text("NATS_TLS_CA_CERT_PATH", null, "CA the NATS server's certificate is checked against: TLS to NATS.");
  static final Setting<String> TLS_INSECURE = NATS.text("NATS_TLS_INSECURE", null, "TLS to NATS without checking the server's certificate (1/true/on/yes; development only).");
  static final Setting<String> TLS_CLIENT_CERT_PATH = NATS.text("NATS_TLS_CLIENT_CERT_PATH", null, "Client certificate presented to NATS (with _KEY_PATH).");
  static final Setting<String> TLS_CLIENT_KEY_PATH = NATS.text("NATS_TLS_CLIENT_KEY_PATH", null, "Client key presented to NATS (with _CERT_PATH).");
  static final Setting<Long> STREAM_MAX_AGE = NATS.integer("DYN_NATS_STREAM_MAX_AGE", 3600, 1, Long.MAX_VALUE / 1_000_000_000L,
      "Seconds a JetStream work-queue message is kept.");
  static final Setting<Long> JETSTREAM_REPLICAS = NATS.integer("NATS_JETSTREAM_REPLICAS", 1, 1, Integer.MAX_VALUE, "Replicas of the JetStream work-queue streams.");

  /** The names this module's providers answer to. */
  @Override
  public Map<String, List<String>> choices() {
    return Map.of(Settings.REQUEST_PLANE_VARIABLE, List.of("nats"), Settings.EVENT_PLANE_VARIABLE, List.of("nats"),
        Settings.DISCOVERY_BACKEND_VARIABLE, List.of("nats"));
  }

  @Override
  public List<Setting<?>> settings() {
    return List.of(SERVER, AUTH_USERNAME, AUTH_PASSWORD, AUTH_TOKEN, AUTH_NKEY, AUTH_CREDENTIALS_FILE, TLS_CA_CERT_PATH, TLS_INSECURE, TLS_CLIENT_CERT_PATH,
        TLS_CLIENT_KEY_PATH, STREAM_MAX_AGE, JETSTREAM_REPLICAS);
  }
}
