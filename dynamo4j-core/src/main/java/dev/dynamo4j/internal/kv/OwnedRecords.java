package dev.dynamo4j.internal.kv;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records one store client wrote and owns ({@link KeyValueStore#connectionId()}): what its
 * liveness keeps alive (re-put, or re-written under a new lease) and what {@link
 * KeyValueStore#shutdown()} deletes. Values are copied in. Thread-safe; holds one entry per
 * record the client created and has not deleted.
 *
 * @param <K> how the store names a record (a path, a bucket-qualified key)
 */
public final class OwnedRecords<K> {
  private final Map<K, byte[]> records = new ConcurrentHashMap<>();

  /** The client created (or took over) {@code key} with {@code value}. */
  public void created(K key, byte[] value) {
    records.put(key, value.clone());
  }

  /** The client replaced the value of {@code key}; ignored when it does not own it. */
  public void replaced(K key, byte[] value) {
    records.computeIfPresent(key, (k, old) -> value.clone());
  }

  /** The client deleted {@code key} (or gave it up). */
  public void deleted(K key) {
    records.remove(key);
  }

  public boolean owns(K key) {
    return records.containsKey(key);
  }

  /** A live view, safe to iterate while records change. */
  public Set<Map.Entry<K, byte[]>> entries() {
    return records.entrySet();
  }

  public int size() {
    return records.size();
  }

  /** Forgets every record (after they were deleted at shutdown). */
  public void clear() {
    records.clear();
  }
}
