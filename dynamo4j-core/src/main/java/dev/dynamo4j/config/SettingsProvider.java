package dev.dynamo4j.config;

import java.util.List;

/**
 * How a module makes its {@link Setting}s known to {@link Settings#all()} (a {@link
 * java.util.ServiceLoader} service): each plug-in module lists the variables it reads.
 */
public interface SettingsProvider {
  /** The settings this module declares; each name in one module only. */
  List<Setting<?>> settings();
}
