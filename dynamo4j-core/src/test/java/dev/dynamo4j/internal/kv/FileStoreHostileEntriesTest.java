package dev.dynamo4j.internal.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Entries an attacker or an accident can leave in a file store (issue 15): none blocks or ends a scan, a sweep or a watch. */
@Timeout(60)
class FileStoreHostileEntriesTest {
  @TempDir Path root;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void linksLoopsFifosAndHugeFilesAreSkippedAndTheRestIsRead() throws Exception {
    FileKeyValueStore store = new FileKeyValueStore(root);
    try {
      Bucket bucket = store.getOrCreateBucket("b", null);
      bucket.insert("good", b("v"), 0);
      Path dir = root.resolve("b");
      Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop")); // a symlink loop
      Files.createSymbolicLink(dir.resolve("elsewhere"), Files.writeString(root.resolve("secret.txt"), "not a record"));
      Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start();
      assertThat(mkfifo.waitFor()).isZero();
      try (var f = FileChannel.open(dir.resolve("huge"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        f.write(ByteBuffer.wrap(new byte[] {1}), FileKeyValueStore.MAX_RECORD_BYTES + 1); // sparse
      }
      // a scan (what discovery list does) sees the good record only, and returns (a FIFO never blocks it)
      assertThat(bucket.entries()).containsOnlyKeys("b/good");
      assertThat(bucket.get("fifo")).isEmpty();
      assertThat(bucket.get("elsewhere")).as("links are not followed").isEmpty();
      assertThat(bucket.get("loop")).isEmpty();

      // a watch opens with the good record and keeps running through changes next to the bad entries
      KvWatch w = bucket.watch();
      assertThat(((WatchEvent.Resync) w.poll(Duration.ofSeconds(10))).entries()).containsOnlyKeys("good");
      Files.createSymbolicLink(dir.resolve("loop2"), dir.resolve("loop2"));
      bucket.insert("later", b("w"), 0);
      WatchEvent e;
      do {
        e = w.poll(Duration.ofSeconds(10));
      } while (e != null && !(e instanceof WatchEvent.Put p && p.key().equals("later")));
      assertThat(e).as("the watch survived the bad entries").isInstanceOf(WatchEvent.Put.class);

      // the sweep runs over them without following or removing what the links point to
      ((FileKeyValueStore.FileBucket) bucket).sweep();
      assertThat(root.resolve("secret.txt")).exists();
      w.close();
    } finally {
      store.shutdown();
    }
  }

  @Test
  void aRootOthersMayWriteToIsRefusedUnlessAllowed() throws Exception {
    Path shared = Files.createDirectory(root.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> FileKeyValueStore.checkRootIsOurs(shared, false))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("other users may write to it (rwxrwxrwx)")
        .hasMessageContaining("DYN_FILE_KV_ALLOW_SHARED_ROOT=true");
    FileKeyValueStore.checkRootIsOurs(shared, true); // warned about, accepted
    Path link = Files.createSymbolicLink(root.resolve("link"), root.resolve("shared"));
    assertThatThrownBy(() -> FileKeyValueStore.checkRootIsOurs(link, false)).hasMessageContaining("symbolic link");
    Path mine = Files.createDirectory(root.resolve("mine"));
    Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwx------"));
    FileKeyValueStore.checkRootIsOurs(mine, false);
  }

  @Test
  void aBucketWhoseDirectoryWentAwayCanBeWatchedAgain() throws Exception {
    FileKeyValueStore store = new FileKeyValueStore(root);
    try {
      Bucket bucket = store.getOrCreateBucket("w", null);
      bucket.insert("a", b("1"), 0);
      KvWatch first = bucket.watch();
      assertThat(((WatchEvent.Resync) first.poll(Duration.ofSeconds(10))).entries()).containsOnlyKeys("a");
      try (var all = Files.walk(root.resolve("w"))) { // an operator's rm -rf: the watch ends
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      WatchEvent e;
      do {
        e = first.poll(Duration.ofSeconds(10));
      } while (e != null);
      // a new watch starts a new watcher (and creates the directory again), and sees new records
      KvWatch second = bucket.watch();
      assertThat(second.poll(Duration.ofSeconds(10))).isInstanceOf(WatchEvent.Resync.class);
      bucket.insert("b", b("2"), 0);
      do {
        e = second.poll(Duration.ofSeconds(10));
      } while (e != null && !(e instanceof WatchEvent.Put p && p.key().equals("b")));
      assertThat(e).as("the new watch follows the directory").isInstanceOf(WatchEvent.Put.class);
      second.close();
    } finally {
      store.shutdown();
    }
  }
}
