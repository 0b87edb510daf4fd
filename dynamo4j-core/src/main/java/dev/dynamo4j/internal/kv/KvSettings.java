package dev.dynamo4j.internal.kv;

import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.List;

/** The variables the stores of this package read themselves ({@link FileKeyValueStore#ALLOW_SHARED_ROOT}). */
public final class KvSettings implements SettingsProvider {
  @Override
  public List<Setting<?>> settings() {
    return FileKeyValueStore.SETTINGS;
  }
}
