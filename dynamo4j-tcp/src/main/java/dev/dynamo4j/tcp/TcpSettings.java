package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.List;
import java.util.Map;

/**
 * What the TCP module adds to the settings: the name {@code tcp} for {@code DYN_REQUEST_PLANE}.
 * The {@code DYN_TCP_*} variables are read by core ({@code RuntimeConfig} and its option records),
 * because the TCP plane is Dynamo's default and its limits shape every plane's admission.
 */
public final class TcpSettings implements SettingsProvider {
  @Override
  public List<Setting<?>> settings() {
    return List.of();
  }

  @Override
  public Map<String, List<String>> choices() {
    return Map.of(Settings.REQUEST_PLANE_VARIABLE, List.of("tcp"));
  }
}
