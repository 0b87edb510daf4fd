package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.StoreOutcome;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link KeyValueStore} must show (Dynamo's storage/kv.rs contract). A
 * backend extends this class and says how to make a client; clients made during one test share
 * one backend, so they see each other's records.
 */
@Timeout(60)
public abstract class KeyValueStoreConformance {
  private static final AtomicLong BUCKETS = new AtomicLong();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<KeyValueStore> stores = new ArrayList<>();

  /** A new client of the backend under test. */
  protected abstract KeyValueStore newStore();

  /**
   * A new client of the backend under test whose watchers buffer at most {@code capacity} events
   * (the overflow case); closed after the test like the others.
   */
  protected abstract KeyValueStore newStoreWithWatchCapacity(int capacity);

  protected final KeyValueStore store() {
    KeyValueStore s = newStore();
    stores.add(s);
    return s;
  }

  @AfterEach
  void shutdownStores() {
    for (KeyValueStore s : stores) {
      s.shutdown();
    }
  }

  protected static String uniqueBucket() {
    return "conformance/b" + BUCKETS.incrementAndGet() + "x" + Long.toHexString(System.nanoTime());
  }

  protected static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  protected static WatchEvent next(KvWatch w) throws InterruptedException {
    WatchEvent e = w.poll(WAIT);
    assertThat(e).as("an event within " + WAIT).isNotNull();
    return e;
  }

  @Test
  void insertAtRevisionZeroCreatesOnlyIfAbsent() {
    Bucket bucket = store().getOrCreateBucket(uniqueBucket(), null);
    assertThat(bucket.insert("k", b("one"), 0)).isInstanceOf(StoreOutcome.Created.class);
    assertThat(bucket.insert("k", b("two"), 0)).isInstanceOf(StoreOutcome.Exists.class);
    assertThat(s(bucket.get("k").orElseThrow())).isEqualTo("one");
  }

  @Test
  void insertAtALaterRevisionUpdates() {
    Bucket bucket = store().getOrCreateBucket(uniqueBucket(), null);
    bucket.insert("k", b("one"), 0);
    assertThat(bucket.insert("k", b("two"), 1)).isEqualTo(new StoreOutcome.Created(1));
    assertThat(s(bucket.get("k").orElseThrow())).isEqualTo("two");
  }

  @Test
  void getDeleteAndEntries() {
    String name = uniqueBucket();
    Bucket bucket = store().getOrCreateBucket(name, null);
    assertThat(bucket.get("missing")).isEmpty();
    bucket.insert("key1", b("v1"), 0);
    bucket.insert("a/b c%d.é", b("v2"), 0);
    Map<String, byte[]> entries = bucket.entries();
    assertThat(entries).containsOnlyKeys(name + "/key1", name + "/a/b c%d.é");
    assertThat(s(bucket.get("a/b c%d.é").orElseThrow())).isEqualTo("v2");
    assertThat(bucket.delete("key1")).isTrue();
    assertThat(bucket.delete("key1")).isFalse();
    assertThat(bucket.get("key1")).isEmpty();
  }

  @Test
  void getBucketIsEmptyForAnUnknownBucket() {
    assertThat(store().getBucket(uniqueBucket())).isEmpty();
  }

  @Test
  void watchStartsWithOneSnapshotThenChanges() throws Exception {
    Bucket bucket = store().getOrCreateBucket(uniqueBucket(), null);
    bucket.insert("old", b("v0"), 0);
    try (KvWatch w = bucket.watch()) {
      WatchEvent first = next(w);
      assertThat(first).isInstanceOf(WatchEvent.Resync.class);
      assertThat(((WatchEvent.Resync) first).entries()).containsOnlyKeys("old");
      bucket.insert("new", b("v1"), 0);
      assertThat(next(w)).isEqualTo(new WatchEvent.Put("new", b("v1")));
      assertThat(bucket.delete("old")).isTrue();
      assertThat(next(w)).isEqualTo(new WatchEvent.Delete("old"));
      assertThat(w.poll(Duration.ofMillis(200))).as("the initial value is not replayed").isNull();
    }
  }

  @Test
  void watchOfAnEmptyBucketStartsWithAnEmptyResync() throws Exception {
    try (KvWatch w = store().getOrCreateBucket(uniqueBucket(), null).watch()) {
      assertThat(next(w)).isEqualTo(new WatchEvent.Resync(Map.of()));
    }
  }

  @Test
  void watcherObservesUpdatesToAnExistingKey() throws Exception {
    Bucket bucket = store().getOrCreateBucket(uniqueBucket(), null);
    bucket.insert("k", b("1"), 0);
    try (KvWatch w = bucket.watch()) {
      next(w);
      bucket.insert("k", b("2"), 2);
      assertThat(next(w)).isEqualTo(new WatchEvent.Put("k", b("2")));
    }
  }

  @Test
  void watchersOfTwoBucketsSeeOnlyTheirOwn() throws Exception {
    KeyValueStore st = store();
    Bucket a = st.getOrCreateBucket(uniqueBucket(), null);
    Bucket c = st.getOrCreateBucket(uniqueBucket(), null);
    try (KvWatch wa1 = a.watch(); KvWatch wa2 = a.watch(); KvWatch wc = c.watch()) {
      next(wa1);
      next(wa2);
      next(wc);
      a.insert("x", b("ax"), 0);
      c.insert("y", b("cy"), 0);
      assertThat(next(wa1)).isEqualTo(new WatchEvent.Put("x", b("ax")));
      assertThat(next(wa2)).isEqualTo(new WatchEvent.Put("x", b("ax")));
      assertThat(next(wc)).isEqualTo(new WatchEvent.Put("y", b("cy")));
    }
  }

  @Test
  void anotherClientsChangesAreSeen() throws Exception {
    String name = uniqueBucket();
    Bucket mine = store().getOrCreateBucket(name, null);
    Bucket theirs = store().getOrCreateBucket(name, null);
    try (KvWatch w = mine.watch()) {
      next(w);
      theirs.insert("t", b("v"), 0);
      assertThat(next(w)).isEqualTo(new WatchEvent.Put("t", b("v")));
      assertThat(s(mine.get("t").orElseThrow())).isEqualTo("v");
    }
  }

  @Test
  void shutdownRemovesOwnedRecordsOnly() throws Exception {
    String name = uniqueBucket();
    KeyValueStore leaving = store();
    KeyValueStore staying = store();
    assertThat(leaving.connectionId()).isNotEqualTo(staying.connectionId());
    leaving.getOrCreateBucket(name, null).insert("gone", b("1"), 0);
    Bucket bucket = staying.getOrCreateBucket(name, null);
    bucket.insert("kept", b("2"), 0);
    try (KvWatch w = bucket.watch()) {
      assertThat(((WatchEvent.Resync) next(w)).entries()).containsOnlyKeys("gone", "kept");
      leaving.shutdown();
      assertThat(next(w)).isEqualTo(new WatchEvent.Delete("gone"));
    }
    assertThat(bucket.get("kept")).isPresent();
  }

  @Test
  void concurrentCreateRaceHasExactlyOneWinner() throws Exception {
    String name = uniqueBucket();
    List<Bucket> clients = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      clients.add(store().getOrCreateBucket(name, null));
    }
    CountDownLatch go = new CountDownLatch(1);
    List<StoreOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Bucket bk = clients.get(i);
      String value = "writer-" + i;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
          outcomes.add(bk.insert("race", b(value), 0));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(outcomes.stream().filter(o -> o instanceof StoreOutcome.Created)).hasSize(1);
    assertThat(outcomes.stream().filter(o -> o instanceof StoreOutcome.Exists)).hasSize(9);
    assertThat(s(clients.get(0).get("race").orElseThrow())).startsWith("writer-");
  }

  @Test
  void compareAndReplaceIsAtomicAndNeverCreates() throws Exception {
    Bucket bucket = store().getOrCreateBucket(uniqueBucket(), null);
    assertThatThrownBy(() -> bucket.compareAndReplace("absent", b("x"), b("y")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.MissingKey));
    assertThat(bucket.get("absent")).isEmpty();
    bucket.insert("k", b("v1"), 0);
    assertThatThrownBy(() -> bucket.compareAndReplace("k", b("stale"), b("v2")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.Retry));
    try (KvWatch w = bucket.watch()) {
      next(w);
      bucket.compareAndReplace("k", b("v1"), b("v2"));
      assertThat(next(w)).isEqualTo(new WatchEvent.Put("k", b("v2")));
    }
    assertThat(s(bucket.get("k").orElseThrow())).isEqualTo("v2");
  }

  @Test
  void aWatcherThatFallsBehindGetsAFreshResyncOfTheLatestValuesNotASilentGap() throws Exception {
    KeyValueStore st = newStoreWithWatchCapacity(4);
    stores.add(st);
    Bucket bucket = st.getOrCreateBucket(uniqueBucket(), null);
    bucket.insert("k0", b("first"), 0);
    Map<String, String> expected = new TreeMap<>();
    try (KvWatch lagging = bucket.watch()) {
      assertThat(((WatchEvent.Resync) next(lagging)).entries()).containsOnlyKeys("k0");
      // far more changes than the watcher buffers, while it reads nothing
      bucket.insert("k0", b("second"), 2);
      for (int i = 1; i <= 20; i++) {
        bucket.insert("k" + i, b("v" + i), 0);
      }
      assertThat(bucket.delete("k1")).isTrue();
      expected.put("k0", "second");
      for (int i = 2; i <= 20; i++) {
        expected.put("k" + i, "v" + i);
      }
      // a watch opened now starts from the store's view: once that holds every change, all of
      // them were offered to the lagging watcher too (and overflowed its buffer of 4)
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        try (KvWatch probe = bucket.watch()) {
          if (asStrings(((WatchEvent.Resync) next(probe)).entries()).equals(expected)) {
            break;
          }
        }
        assertThat(System.nanoTime() - deadline).as("the store's view reached the last change within " + WAIT).isNegative();
      }
      WatchEvent first = next(lagging);
      assertThat(first).as("the watcher's next read after it overflowed").isInstanceOf(WatchEvent.Resync.class);
      assertThat(asStrings(((WatchEvent.Resync) first).entries())).isEqualTo(expected);
      bucket.insert("after", b("x"), 0);
      assertThat(next(lagging)).as("events continue after the Resync").isEqualTo(new WatchEvent.Put("after", b("x")));
    }
  }

  private static Map<String, String> asStrings(Map<String, byte[]> entries) {
    Map<String, String> m = new TreeMap<>();
    entries.forEach((k, v) -> m.put(k, s(v)));
    return m;
  }

  @Test
  void aClientsConnectionIdStaysPutWhileItLivesAndNamesItsOwnRecords() throws Exception {
    KeyValueStore a = store();
    KeyValueStore c = store();
    long id = a.connectionId();
    String name = uniqueBucket();
    Bucket bucket = a.getOrCreateBucket(name, null);
    bucket.insert("mine", b("1"), 0);
    try (KvWatch w = bucket.watch()) {
      next(w);
      bucket.insert("mine", b("2"), 2);
      next(w);
    }
    assertThat(a.connectionId()).as("after writes and a watch").isEqualTo(id);
    assertThat(c.connectionId()).as("another client of the same backend").isNotEqualTo(id);
    // the id is what shutdown goes by: the record written under it leaves, the other client's stays
    c.getOrCreateBucket(name, null).insert("theirs", b("3"), 0);
    a.shutdown();
    assertThat(c.getOrCreateBucket(name, null).get("mine")).isEmpty();
    assertThat(c.getOrCreateBucket(name, null).get("theirs")).isPresent();
  }

  @Test
  void closedWatchReturnsNull() throws Exception {
    KvWatch w = store().getOrCreateBucket(uniqueBucket(), null).watch();
    next(w);
    w.close();
    assertThat(w.next()).isNull();
  }
}
