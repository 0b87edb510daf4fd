package dev.dynamo4j.spi.kv;

import java.util.Map;
import java.util.Optional;

/**
 * A named group of keys in a {@link KeyValueStore}. Thread-safe.
 *
 * <p>Revisions are backend-specific numbers; the one rule every backend follows is that {@link
 * #insert} at revision 0 creates the key only if it is absent.
 */
public interface Bucket {
  String name();

  /**
   * Writes {@code value}. At revision 0: create if absent, else {@code Exists} and nothing is
   * written. At revision n > 0: update (memory: {@code Exists(n)} when the stored revision is
   * already n).
   */
  StoreOutcome insert(String key, byte[] value, long revision);

  Optional<byte[]> get(String key);

  /**
   * Atomically replaces the value of an existing key if it still equals {@code expected}.
   *
   * @return the new revision
   * @throws StoreException {@code MissingKey} when absent (never creates), {@code Retry} when the
   *     value is no longer {@code expected}
   */
  long compareAndReplace(String key, byte[] expected, byte[] value);

  /** Deletes a key; returns whether it existed. */
  boolean delete(String key);

  /** All entries, keyed {@code <bucket>/<key>} (so the keys cannot be passed back to get or delete). */
  Map<String, byte[]> entries();

  /** Starts a watch; it is established before this returns, so nothing written afterwards is missed. */
  KvWatch watch();
}
