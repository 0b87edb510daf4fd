package dev.dynamo4j.kv;

import dev.dynamo4j.config.Setting;
import dev.dynamo4j.config.SettingsProvider;
import java.util.List;

/** The variables the stores of this package read themselves ({@link FileKeyValueStore#ALLOW_SHARED_ROOT}). */
public final class KvSettings implements SettingsProvider {
  @Override
  public List<Setting<?>> settings() {
    return FileKeyValueStore.SETTINGS;
  }
}
