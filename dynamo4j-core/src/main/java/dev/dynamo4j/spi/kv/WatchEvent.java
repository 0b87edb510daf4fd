package dev.dynamo4j.spi.kv;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A change in a bucket, as seen by a {@link KvWatch}. Keys are relative to the bucket.
 *
 * <p>{@link Resync} carries the whole bucket and replaces everything the watcher knew; it is the
 * first event of every watch (possibly empty) and comes again when the watcher fell behind.
 */
public sealed interface WatchEvent {
  /** A key was created or updated. */
  record Put(String key, byte[] value) implements WatchEvent {
    @Override
    public boolean equals(Object o) {
      return o instanceof Put p && p.key.equals(key) && Arrays.equals(p.value, value);
    }

    @Override
    public int hashCode() {
      return key.hashCode();
    }

    @Override
    public String toString() {
      return "Put[" + key + ", " + value.length + " bytes]";
    }
  }

  /** A key was deleted (or expired). */
  record Delete(String key) implements WatchEvent {}

  /** The whole bucket, key to value; replaces all earlier state. */
  record Resync(Map<String, byte[]> entries) implements WatchEvent {
    public Resync {
      entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    @Override
    public String toString() {
      return "Resync" + entries.keySet();
    }
  }
}
