package dev.dynamo4j.internal.kv;

import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a store last saw of one bucket, and its watchers: the piece every store whose truth lives
 * elsewhere (files, JetStream, etcd) keeps in memory. A change is applied with {@link #put} or
 * {@link #remove} and published to the watchers only when it is one (a put of the value already
 * held, or a remove of an absent key, publishes nothing), so a store may feed it the same change
 * from several sources (its own write, the backend's watch, a rescan). {@link #replaceAll} diffs
 * a fresh listing against what was held; {@link #reset} replaces it silently and, with {@code
 * resyncWatchers}, makes every watcher's next read a fresh {@code Resync}.
 *
 * <p>Threads: any; every method takes the mirror's lock, which {@link #atomically} also holds
 * around a sequence of them (it is reentrant), so a watcher's snapshot and the events after it
 * have no gap and no overlap. Buffers: each watcher holds at most the capacity given here (see
 * {@link KvWatch}: past it, the next read is a {@code Resync}).
 */
public final class BucketMirror {
  private final Object lock = new Object();
  private final Map<String, byte[]> current = new LinkedHashMap<>(); // guarded by lock
  private final WatchHub hub;

  /** A mirror whose watchers each buffer at most {@value MemoryKeyValueStore#DEFAULT_WATCH_CAPACITY} events. */
  public BucketMirror() {
    this(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
  }

  /** @param watchCapacity events a watcher buffers before its next read becomes a fresh {@code Resync}; at least 1 */
  public BucketMirror(int watchCapacity) {
    if (watchCapacity < 1) {
      throw new IllegalArgumentException("watch capacity must be at least 1, got " + watchCapacity);
    }
    this.hub = new WatchHub(lock, () -> new LinkedHashMap<>(current), watchCapacity);
  }

  /** {@code key} now has {@code value}; published when it differs from what was held. */
  public void put(String key, byte[] value) {
    synchronized (lock) {
      byte[] old = current.get(key);
      if (old == null || !Arrays.equals(old, value)) {
        current.put(key, value);
        hub.publish(new WatchEvent.Put(key, value));
      }
    }
  }

  /** {@code key} is gone; published when it was held. */
  public void remove(String key) {
    synchronized (lock) {
      if (current.remove(key) != null) {
        hub.publish(new WatchEvent.Delete(key));
      }
    }
  }

  /** The bucket is now exactly {@code now}: publishes the deletes, then the puts, that make it so. */
  public void replaceAll(Map<String, byte[]> now) {
    synchronized (lock) {
      for (String k : List.copyOf(current.keySet())) {
        if (!now.containsKey(k)) {
          remove(k);
        }
      }
      now.forEach(this::put);
    }
  }

  /**
   * The bucket is now exactly {@code now}, without events: for the first listing, or (with {@code
   * resyncWatchers}) for a backend that lost track of changes, after which every watcher's next
   * read is a fresh {@code Resync} of these contents rather than a gap.
   */
  public void reset(Map<String, byte[]> now, boolean resyncWatchers) {
    synchronized (lock) {
      current.clear();
      current.putAll(now);
      if (resyncWatchers) {
        hub.resyncAll();
      }
    }
  }

  /** Runs {@code changes} holding the mirror's lock: no watcher opens or reads a snapshot in between. */
  public void atomically(Runnable changes) {
    synchronized (lock) {
      changes.run();
    }
  }

  /** A new watch: a {@code Resync} of what is held now, then every change. */
  public KvWatch watch() {
    return hub.open();
  }

  /** Ends every watch (their next read returns null). */
  public void closeWatches() {
    hub.closeAll();
  }
}
