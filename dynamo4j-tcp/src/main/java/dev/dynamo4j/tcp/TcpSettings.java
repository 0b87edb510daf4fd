package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the TCP module adds to the settings: the name {@code tcp} for {@code DYN_REQUEST_PLANE},
 * and the variables only this module reads ({@link #MUX_IDLE}), from {@link
 * RuntimeConfig#variables()}. The other {@code DYN_TCP_*} variables are read by core ({@code
 * RuntimeConfig} and its option records), because the TCP plane is Dynamo's default and its limits
 * shape every plane's admission.
 */
public final class TcpSettings implements SettingsProvider {
  private static final Setting.Declarer TCP = Setting.oursIn("dynamo4j-tcp");
  public static final Setting<Duration> MUX_IDLE = TCP.seconds("DYN_TCP_RESPONSE_MUX_IDLE_SECS", Duration.ofSeconds(300), true,
      "A worker closes a multiplexed response connection that has carried no stream for this long (checked every half of it); the next "
          + "stream to that caller opens a new one. 0 = keep them until either side closes.");

  @Override
  public List<Setting<?>> settings() {
    return List.of(MUX_IDLE);
  }

  /** {@link #MUX_IDLE} of {@code config}. */
  static Duration muxIdle(RuntimeConfig config) {
    return MUX_IDLE.read(config.variables());
  }

  @Override
  public Map<String, List<String>> choices() {
    return Map.of(Settings.REQUEST_PLANE_VARIABLE, List.of("tcp"));
  }
}
