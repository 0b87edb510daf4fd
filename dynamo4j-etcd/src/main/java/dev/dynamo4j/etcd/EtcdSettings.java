package dev.dynamo4j.etcd;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The variables the etcd module reads, declared once each. */
public final class EtcdSettings implements SettingsProvider {
  private static final Setting.Declarer ETCD = Setting.in("dynamo4j-etcd");
  /** Endpoints; a runtime's command line sets it through {@code RuntimeConfig.Builder#variable}. */
  public static final Setting<String> ENDPOINTS = ETCD.text("ETCD_ENDPOINTS", null,
      "etcd endpoints (comma-separated http(s):// URLs); default http://localhost:2379.");
  static final Setting<String> AUTH_USERNAME = ETCD.text("ETCD_AUTH_USERNAME", null, "etcd user (with ETCD_AUTH_PASSWORD).");
  static final Setting<String> AUTH_PASSWORD = ETCD.text("ETCD_AUTH_PASSWORD", null, "etcd password.");
  static final Setting<String> AUTH_CA = ETCD.text("ETCD_AUTH_CA", null, "CA (PEM) the etcd server's certificate is checked against: TLS to etcd.");
  static final Setting<String> AUTH_CLIENT_CERT = ETCD.text("ETCD_AUTH_CLIENT_CERT", null, "Client certificate presented to etcd (with ETCD_AUTH_CLIENT_KEY).");
  static final Setting<String> AUTH_CLIENT_KEY = ETCD.text("ETCD_AUTH_CLIENT_KEY", null, "Client key presented to etcd.");
  static final Setting<EtcdKeyValueStore.LeaseLossPolicy> LEASE_LOSS_POLICY = ETCD.ours().custom("DYN_ETCD_LEASE_LOSS_POLICY",
      EtcdKeyValueStore.LeaseLossPolicy.RENEW, "renew",
      "What a process does when etcd drops its lease: renew (grant a new one and write its records again) or shutdown (Dynamo's: tell the runtime, which stops).",
      v -> switch (v.toLowerCase(Locale.ROOT)) {
        case "renew" -> EtcdKeyValueStore.LeaseLossPolicy.RENEW;
        case "shutdown" -> EtcdKeyValueStore.LeaseLossPolicy.SHUTDOWN;
        default -> throw new IllegalArgumentException("expected renew or shutdown");
      });

  /** The names this module's providers answer to. */
  @Override
  public Map<String, List<String>> choices() {
    return Map.of(Settings.DISCOVERY_BACKEND_VARIABLE, List.of("etcd"));
  }

  @Override
  public List<Setting<?>> settings() {
    return List.of(ENDPOINTS, AUTH_USERNAME, AUTH_PASSWORD, AUTH_CA, AUTH_CLIENT_CERT, AUTH_CLIENT_KEY, LEASE_LOSS_POLICY);
  }
}
