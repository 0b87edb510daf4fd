package dev.dynamo4j.internal.kv;

import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.StoreOutcome;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store held in memory. Several stores can share one {@link Data} (each with its own
 * connection id and its own owned records), which is how runtimes in one JVM see each other; no
 * record leaves the process. TTLs are ignored. Watchers buffer {@value #DEFAULT_WATCH_CAPACITY}
 * events by default (Dynamo's 16384).
 */
public final class MemoryKeyValueStore implements KeyValueStore {
  public static final int DEFAULT_WATCH_CAPACITY = 16_384;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Data data;
  private final long connectionId = RANDOM.nextLong();
  private final Set<String> owned = ConcurrentHashMap.newKeySet(); // "<bucket>\0<key>"
  private volatile boolean shutdown;

  /** A store with data of its own. */
  public MemoryKeyValueStore() {
    this(new Data(DEFAULT_WATCH_CAPACITY));
  }

  /** A store sharing {@code data} with other stores. */
  public MemoryKeyValueStore(Data data) {
    this.data = data;
  }

  /** Buckets shared by the stores built on it. */
  public static final class Data {
    private final Object lock = new Object();
    private final Map<String, MemBucket> buckets = new HashMap<>();
    private final int watchCapacity;

    public Data(int watchCapacity) {
      if (watchCapacity < 1) {
        throw new IllegalArgumentException("watch capacity must be positive");
      }
      this.watchCapacity = watchCapacity;
    }
  }

  private record Entry(long revision, byte[] value) {}

  private final class MemBucket {
    final String name;
    final Map<String, Entry> entries = new LinkedHashMap<>();
    final WatchHub hub;

    MemBucket(String name) {
      this.name = name;
      this.hub = new WatchHub(data.lock, this::snapshot, data.watchCapacity);
    }

    Map<String, byte[]> snapshot() {
      Map<String, byte[]> m = new LinkedHashMap<>();
      entries.forEach((k, v) -> m.put(k, v.value));
      return m;
    }
  }

  @Override
  public Bucket getOrCreateBucket(String name, Duration ttl) {
    synchronized (data.lock) {
      return new BucketView(data.buckets.computeIfAbsent(name, MemBucket::new));
    }
  }

  @Override
  public Optional<Bucket> getBucket(String name) {
    synchronized (data.lock) {
      MemBucket b = data.buckets.get(name);
      return b == null ? Optional.empty() : Optional.of(new BucketView(b));
    }
  }

  @Override
  public long connectionId() {
    return connectionId;
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    synchronized (data.lock) {
      for (String o : owned) {
        int sep = o.indexOf('\0');
        MemBucket b = data.buckets.get(o.substring(0, sep));
        String key = o.substring(sep + 1);
        if (b != null && b.entries.remove(key) != null) {
          b.hub.publish(new WatchEvent.Delete(key));
        }
      }
      owned.clear();
    }
  }

  private final class BucketView implements Bucket {
    private final MemBucket b;

    BucketView(MemBucket b) {
      this.b = b;
    }

    @Override
    public String name() {
      return b.name;
    }

    @Override
    public StoreOutcome insert(String key, byte[] value, long revision) {
      byte[] copy = value.clone();
      synchronized (data.lock) {
        Entry existing = b.entries.get(key);
        if (existing != null && (revision == 0 || existing.revision == revision)) {
          return new StoreOutcome.Exists(existing.revision);
        }
        b.entries.put(key, new Entry(revision, copy));
        owned.add(b.name + '\0' + key);
        b.hub.publish(new WatchEvent.Put(key, copy));
        return new StoreOutcome.Created(revision);
      }
    }

    @Override
    public Optional<byte[]> get(String key) {
      synchronized (data.lock) {
        Entry e = b.entries.get(key);
        return e == null ? Optional.empty() : Optional.of(e.value.clone());
      }
    }

    @Override
    public long compareAndReplace(String key, byte[] expected, byte[] value) {
      synchronized (data.lock) {
        Entry e = b.entries.get(key);
        if (e == null) {
          throw new StoreException(StoreException.Kind.MissingKey, b.name + "/" + key);
        }
        if (!Arrays.equals(e.value, expected)) {
          throw new StoreException(StoreException.Kind.Retry, b.name + "/" + key + " changed");
        }
        byte[] copy = value.clone();
        long rev = e.revision + 1;
        b.entries.put(key, new Entry(rev, copy));
        b.hub.publish(new WatchEvent.Put(key, copy));
        return rev;
      }
    }

    @Override
    public boolean delete(String key) {
      synchronized (data.lock) {
        owned.remove(b.name + '\0' + key);
        if (b.entries.remove(key) == null) {
          return false;
        }
        b.hub.publish(new WatchEvent.Delete(key));
        return true;
      }
    }

    @Override
    public Map<String, byte[]> entries() {
      synchronized (data.lock) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        b.entries.forEach((k, v) -> m.put(b.name + "/" + k, v.value.clone()));
        return m;
      }
    }

    @Override
    public KvWatch watch() {
      return b.hub.open();
    }
  }
}
