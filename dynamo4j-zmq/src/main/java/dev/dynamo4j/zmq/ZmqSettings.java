package dev.dynamo4j.zmq;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The variables the ZMQ module reads, declared once each (the event plane's own in {@link
 * ZmqEventOptions}), and how a runtime's configuration gives them: from {@link
 * RuntimeConfig#variables()}, set by the environment or {@code RuntimeConfig.Builder#variable}.
 */
public final class ZmqSettings implements SettingsProvider {
  private static final Setting.Declarer ZMQ = Setting.in("dynamo4j-zmq");
  public static final Setting<String> BROKER_URL = ZMQ.text("DYN_ZMQ_BROKER_URL", null,
      "ZMQ event broker(s): xsub=<url>[;<url>...],xpub=<url>[;<url>...]; publishers and subscribers go through them.");
  public static final Setting<Boolean> BROKER_ENABLED = ZMQ.custom("DYN_ZMQ_BROKER_ENABLED", false, "false",
      "Find ZMQ event brokers in discovery (1/true/yes/on; anything else is false).",
      v -> v.equalsIgnoreCase("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on"));
  public static final Setting<String> RESPONSE_PATH = ZMQ.ours().custom("DYN_ZMQ_RESPONSE_PATH", "tcp", "tcp",
      "On the ZMQ request plane, where a caller asks for its response streams: tcp (the TCP response plane) or zmq (back over the request's sockets).",
      v -> switch (v.toLowerCase(Locale.ROOT)) {
        case "tcp" -> "tcp";
        case "zmq" -> "zmq";
        default -> throw new IllegalArgumentException("expected zmq or tcp");
      });

  /** The names this module's providers answer to. */
  @Override
  public Map<String, List<String>> choices() {
    return Map.of(Settings.REQUEST_PLANE_VARIABLE, List.of("zmq"), Settings.EVENT_PLANE_VARIABLE, List.of("zmq"));
  }

  @Override
  public List<Setting<?>> settings() {
    List<Setting<?>> all = new ArrayList<>(List.of(BROKER_URL, BROKER_ENABLED, RESPONSE_PATH));
    all.addAll(ZmqEventOptions.SETTINGS);
    return all;
  }

  /** The event plane's options of {@code config}. */
  public static ZmqEventOptions events(RuntimeConfig config) {
    return ZmqEventOptions.fromEnv(config.variables(), ZmqEventOptions.DEFAULTS);
  }
}
