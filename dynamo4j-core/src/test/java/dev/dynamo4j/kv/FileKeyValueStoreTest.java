package dev.dynamo4j.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.internal.kv.FileKeyValueStore;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-store specifics: the on-disk layout, TTL sweeping, shutdown. */
class FileKeyValueStoreTest {
  @TempDir Path root;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void keysAreFilesNamedByTheirUrlSafeEncoding() throws Exception {
    try (FileKeyValueStore store = new FileKeyValueStore(root)) {
      store.getOrCreateBucket("v1/instances", null).insert("ns/comp/ep/1a", b("{}"), 0);
      Path file = root.resolve("v1/instances/ns%2Fcomp%2Fep%2F1a");
      assertThat(file).exists().hasContent("{}");
      try (var listing = Files.list(root.resolve("v1/instances"))) {
        assertThat(listing.filter(p -> p.getFileName().toString().startsWith(".tmp_"))).isEmpty();
      }
    }
  }

  @Test
  void shutdownDeletesOwnedFilesAtOnce() throws Exception {
    FileKeyValueStore store = new FileKeyValueStore(root);
    store.getOrCreateBucket("b", null).insert("mine", b("1"), 0);
    Files.writeString(root.resolve("b/other"), "2");
    store.shutdown();
    assertThat(root.resolve("b/mine")).doesNotExist();
    assertThat(root.resolve("b/other")).exists();
  }

  @Test
  void staleRecordsOfDeadProcessesAreSweptAndOwnRecordsKeptAlive() throws Exception {
    try (FileKeyValueStore store = new FileKeyValueStore(root, Duration.ofSeconds(1), 64)) {
      Bucket bucket = store.getOrCreateBucket("b", null);
      bucket.insert("alive", b("1"), 0);
      Path dead = root.resolve("b/dead");
      Files.writeString(dead, "from a crashed process");
      Files.setLastModifiedTime(dead, FileTime.from(Instant.now().minusSeconds(60)));
      try (KvWatch w = bucket.watch()) {
        assertThat(((WatchEvent.Resync) w.next()).entries()).containsOnlyKeys("alive", "dead");
        assertThat(w.poll(Duration.ofSeconds(10))).isEqualTo(new WatchEvent.Delete("dead"));
      }
      // Our own record outlives several TTLs because the sweeper touches it.
      Path alive = root.resolve("b/alive");
      Instant first = Files.getLastModifiedTime(alive).toInstant();
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.getLastModifiedTime(alive).toInstant().isAfter(first));
      assertThat(bucket.get("alive")).isPresent();
    }
  }

  @Test
  void anOwnedRecordRemovedByAnotherProcessIsPutBack() throws Exception {
    try (FileKeyValueStore store = new FileKeyValueStore(root, Duration.ofSeconds(1), 64)) {
      store.getOrCreateBucket("b", null).insert("mine", b("v"), 0);
      Files.delete(root.resolve("b/mine"));
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(root.resolve("b/mine")));
      assertThat(root.resolve("b/mine")).hasContent("v");
    }
  }

  @Test
  void aRootThatIsAFileIsAFilesystemError() throws Exception {
    Path notADir = Files.writeString(root.resolve("plain-file"), "x");
    Assertions.assertThatThrownBy(() -> new FileKeyValueStore(notADir))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.FilesystemError));
  }

  @Test
  void touchesThatLeaveAValueUnchangedAreNotEvents() throws Exception {
    try (FileKeyValueStore store = new FileKeyValueStore(root)) {
      Bucket bucket = store.getOrCreateBucket("b", null);
      bucket.insert("k", b("v"), 0);
      try (KvWatch w = bucket.watch()) {
        w.next();
        Files.setLastModifiedTime(root.resolve("b/k"), FileTime.from(Instant.now()));
        assertThat(w.poll(Duration.ofMillis(500))).isNull();
      }
    }
  }
}
