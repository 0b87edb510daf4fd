package dev.dynamo4j.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.internal.kv.BucketMirror;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mirror the file, NATS and etcd stores keep of a bucket: only real changes reach watchers,
 * a listing is diffed, a reset with resync replaces what watchers buffered with a fresh snapshot.
 */
class BucketMirrorTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static WatchEvent next(KvWatch w) throws InterruptedException {
    return w.poll(Duration.ofSeconds(1));
  }

  @Test
  void aPutOfTheValueAlreadyHeldOrARemoveOfAnAbsentKeyPublishesNothing() throws Exception {
    BucketMirror m = new BucketMirror();
    KvWatch w = m.watch();
    assertThat(next(w)).isEqualTo(new WatchEvent.Resync(Map.of()));
    m.put("a", b("1"));
    m.put("a", b("1")); // a keep-alive re-put, or our own write seen again through the backend's watch
    m.remove("zz");
    m.put("a", b("2"));
    m.remove("a");
    m.remove("a");
    assertThat(next(w)).isEqualTo(new WatchEvent.Put("a", b("1")));
    assertThat(next(w)).isEqualTo(new WatchEvent.Put("a", b("2")));
    assertThat(next(w)).isEqualTo(new WatchEvent.Delete("a"));
    assertThat(w.poll(Duration.ofMillis(50))).isNull();
  }

  @Test
  void replaceAllPublishesTheDeletesThenThePutsThatMakeTheListing() throws Exception {
    BucketMirror m = new BucketMirror();
    m.put("keep", b("same"));
    m.put("change", b("old"));
    m.put("gone", b("x"));
    KvWatch w = m.watch();
    assertThat(((WatchEvent.Resync) next(w)).entries()).containsOnlyKeys("keep", "change", "gone");
    Map<String, byte[]> listing = new LinkedHashMap<>();
    listing.put("keep", b("same"));
    listing.put("change", b("new"));
    listing.put("added", b("y"));
    m.replaceAll(listing);
    assertThat(next(w)).isEqualTo(new WatchEvent.Delete("gone"));
    assertThat(next(w)).isEqualTo(new WatchEvent.Put("change", b("new")));
    assertThat(next(w)).isEqualTo(new WatchEvent.Put("added", b("y")));
    assertThat(w.poll(Duration.ofMillis(50))).isNull();
    assertThat(((WatchEvent.Resync) next(m.watch())).entries()).containsOnlyKeys("keep", "change", "added");
  }

  @Test
  void aResetWithResyncReplacesBufferedEventsWithAFreshSnapshotAndEventsGoOnAfterIt() throws Exception {
    BucketMirror m = new BucketMirror();
    KvWatch w = m.watch();
    next(w);
    m.put("a", b("1"));
    // the backend lost track (etcd: compaction): it read everything again
    m.reset(Map.of("b", b("2")), true);
    WatchEvent e = next(w);
    assertThat(e).isInstanceOfSatisfying(WatchEvent.Resync.class, r -> assertThat(r.entries().keySet()).containsExactly("b"));
    m.put("c", b("3"));
    assertThat(next(w)).isEqualTo(new WatchEvent.Put("c", b("3")));
    m.closeWatches();
    assertThat(w.poll(Duration.ofMillis(50))).isNull();
  }

  @Test
  void aSilentResetChangesWhatNewWatchersSeeWithoutEvents() throws Exception {
    BucketMirror m = new BucketMirror();
    KvWatch before = m.watch();
    next(before);
    m.reset(Map.of("k", b("v")), false);
    assertThat(before.poll(Duration.ofMillis(50))).isNull();
    assertThat(((WatchEvent.Resync) next(m.watch())).entries()).containsOnlyKeys("k");
  }

  @Test
  void aWatcherThatOverflowsItsCapacityReadsAResyncOfTheLatestContents() throws Exception {
    BucketMirror m = new BucketMirror(2);
    KvWatch w = m.watch();
    next(w);
    for (int i = 0; i < 5; i++) {
      m.put("k" + i, b("v" + i));
    }
    assertThat(((WatchEvent.Resync) next(w)).entries()).containsOnlyKeys("k0", "k1", "k2", "k3", "k4");
    assertThatThrownBy(() -> new BucketMirror(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
