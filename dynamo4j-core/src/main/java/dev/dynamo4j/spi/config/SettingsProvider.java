package dev.dynamo4j.spi.config;

import java.util.List;
import java.util.Map;

/**
 * How a module makes its {@link Setting}s known to {@link Settings#all()} (a {@link
 * java.util.ServiceLoader} service): each plug-in module lists the variables it reads.
 */
public interface SettingsProvider {
  /** The settings this module declares; each name in one module only. */
  List<Setting<?>> settings();

  /**
   * The values this module makes valid for a setting that names a plug-in ({@value
   * Settings#REQUEST_PLANE_VARIABLE}, {@value Settings#EVENT_PLANE_VARIABLE}, {@value
   * Settings#DISCOVERY_BACKEND_VARIABLE}): the names its providers answer to, by variable.
   * Core knows no plug-in by name; a value is valid when a module on the class path offers it
   * ({@link Settings#choices}).
   */
  default Map<String, List<String>> choices() {
    return Map.of();
  }
}
