package dev.dynamo4j.internal.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreOutcome;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Memory-store specifics of storage/kv/mem.rs and storage/kv.rs. */
class MemoryKeyValueStoreTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void revisionsAreWhatTheCallerPasses() {
    Bucket bucket = new MemoryKeyValueStore().getOrCreateBucket("b", null);
    assertThat(bucket.insert("k", b("v"), 0)).isEqualTo(new StoreOutcome.Created(0));
    assertThat(bucket.insert("k", b("v"), 0)).isEqualTo(new StoreOutcome.Exists(0));
    assertThat(bucket.insert("k", b("v1"), 1)).isEqualTo(new StoreOutcome.Created(1));
    assertThat(bucket.insert("k", b("v1"), 1)).isEqualTo(new StoreOutcome.Exists(1));
  }

  @Test
  void entriesCarryTheFullPath() {
    Bucket bucket = new MemoryKeyValueStore().getOrCreateBucket("bucket1", null);
    bucket.insert("key1", b("v"), 0);
    assertThat(bucket.entries()).containsOnlyKeys("bucket1/key1");
  }

  @Test
  void aLaggingWatcherGetsOneResyncWithOnlyTheLatestValues() throws Exception {
    MemoryKeyValueStore store = new MemoryKeyValueStore(new MemoryKeyValueStore.Data(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY));
    Bucket bucket = store.getOrCreateBucket("lag", null);
    bucket.insert("k", b("v0"), 0);
    try (KvWatch w = bucket.watch()) {
      assertThat(w.next()).isInstanceOf(WatchEvent.Resync.class);
      int updates = MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY + 1;
      for (int i = 1; i <= updates; i++) {
        bucket.insert("k", b("v" + i), i);
      }
      WatchEvent e = w.next();
      assertThat(e).isInstanceOf(WatchEvent.Resync.class);
      assertThat(new String(((WatchEvent.Resync) e).entries().get("k"), StandardCharsets.UTF_8)).isEqualTo("v" + updates);
      assertThat(w.poll(Duration.ofMillis(100))).as("pre-snapshot events are discarded").isNull();
      bucket.insert("k", b("after"), updates + 1);
      assertThat(w.next()).isEqualTo(new WatchEvent.Put("k", b("after")));
    }
  }

  @Test
  void keyCodecMatchesUrlSafe() {
    assertThat(KeyCodec.urlSafe("ns/comp/ep/1a2b")).isEqualTo("ns%2Fcomp%2Fep%2F1a2b");
    assertThat(KeyCodec.urlSafe("a-b_c.d é")).isEqualTo("a%2Db%5Fc%2Ed%20%C3%A9");
    assertThat(KeyCodec.fromUrlSafe(KeyCodec.urlSafe("a-b_c.d é/%"))).isEqualTo("a-b_c.d é/%");
  }
}
