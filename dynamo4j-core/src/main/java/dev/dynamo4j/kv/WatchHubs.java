package dev.dynamo4j.kv;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The watch fan-out of the built-in stores, for stores in other modules: publish changes while
 * holding the store's data lock; every watcher gets a snapshot first and every later change,
 * with a fresh {@code Resync} instead of silent loss when it falls behind (see {@link KvWatch}).
 */
public final class WatchHubs {
  private WatchHubs() {}

  /** Fans out one bucket's changes. {@code publish*} must be called with {@code lock} held. */
  public interface Hub {
    void publishPut(String key, byte[] value);

    void publishDelete(String key);

    /**
     * Every watcher's next read becomes a fresh {@code Resync} of the current contents (for a
     * backend that could not follow every change, e.g. etcd after a compaction). Call with the
     * lock held, after updating the contents.
     */
    void resyncAll();

    /** A new watch: a snapshot now, then every change. */
    KvWatch open();

    /** Ends every watch. */
    void closeAll();
  }

  /**
   * @param lock the store's data lock
   * @param snapshot the bucket's current contents; called with {@code lock} held
   */
  public static Hub hub(Object lock, Supplier<Map<String, byte[]>> snapshot) {
    return hub(lock, snapshot, MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
  }

  /**
   * As {@link #hub(Object, Supplier)}, each watcher buffering at most {@code capacity} events
   * before it is marked lagged (its next read a fresh {@code Resync}).
   */
  public static Hub hub(Object lock, Supplier<Map<String, byte[]>> snapshot, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("watch capacity must be at least 1, got " + capacity);
    }
    WatchHub h = new WatchHub(lock, snapshot, capacity);
    return new Hub() {
      @Override
      public void publishPut(String key, byte[] value) {
        h.publish(new WatchEvent.Put(key, value));
      }

      @Override
      public void publishDelete(String key) {
        h.publish(new WatchEvent.Delete(key));
      }

      @Override
      public void resyncAll() {
        h.resyncAll();
      }

      @Override
      public KvWatch open() {
        return h.open();
      }

      @Override
      public void closeAll() {
        h.closeAll();
      }
    };
  }
}
