package dev.dynamo4j.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.testkit.EtcdServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dynamo's test_distributed_rwlock, against a real etcd, with two processes' worth of stores. */
@Timeout(60)
class DistributedRwLockTest {
  @RegisterExtension static final EtcdServerExtension etcd = new EtcdServerExtension();

  static EtcdKeyValueStore store() {
    return EtcdKeyValueStore.connect(EtcdConfig.builder(Map.of()).endpoints(etcd.endpoint()).build(), Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW);
  }

  @Test
  void readersShareWritersExcludeAndEverythingIsCleanedUp() throws Exception {
    try (EtcdKeyValueStore a = store(); EtcdKeyValueStore b = store()) {
      DistributedRwLock la = new DistributedRwLock(a, "locks/model-x");
      DistributedRwLock lb = new DistributedRwLock(b, "locks/model-x");

      // two readers at once
      DistributedRwLock.Guard r1 = la.readLock("r1", DistributedRwLock.DEFAULT_READ_TIMEOUT);
      DistributedRwLock.Guard r2 = lb.readLock("r2", DistributedRwLock.DEFAULT_READ_TIMEOUT);
      assertThat(etcd.etcdctl("get", "--prefix", "v1/locks/model-x/").stdout())
          .isEqualTo("v1/locks/model-x/readers/r1\nreading\nv1/locks/model-x/readers/r2\nreading\n");
      // a writer is refused while they read
      assertThat(lb.tryWriteLock()).isEmpty();
      r1.close();
      assertThat(lb.tryWriteLock()).isEmpty();
      r2.close();
      r2.close(); // idempotent

      // the writer is exclusive: no second writer, readers time out
      DistributedRwLock.Guard w = lb.tryWriteLock().orElseThrow();
      assertThat(w.key()).isEqualTo("v1/locks/model-x/writer");
      assertThat(la.tryWriteLock()).isEmpty();
      assertThatThrownBy(() -> la.readLock("r3", Duration.ofMillis(300)))
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.DeadlineExceeded));

      // a reader waits for the writer and gets in once it lets go
      CountDownLatch waiting = new CountDownLatch(1);
      CompletableFuture<DistributedRwLock.Guard> reader = CompletableFuture.supplyAsync(() -> {
        waiting.countDown();
        try {
          return la.readLock("r4", Duration.ofSeconds(10));
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      waiting.await();
      assertThat(reader).isNotDone();
      w.close();
      DistributedRwLock.Guard r4 = reader.get(10, TimeUnit.SECONDS);
      r4.close();

      assertThat(etcd.etcdctl("get", "--prefix", "v1/locks/model-x/").stdout()).as("nothing left behind").isEmpty();
    }
  }

  @Test
  void aWriterAndAReaderRacingNeverBothHoldIt() throws Exception {
    try (EtcdKeyValueStore a = store(); EtcdKeyValueStore b = store()) {
      int both = 0;
      int writes = 0;
      int reads = 0;
      for (int i = 0; i < 60; i++) {
        DistributedRwLock lw = new DistributedRwLock(a, "locks/race" + i);
        DistributedRwLock lr = new DistributedRwLock(b, "locks/race" + i);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Optional<DistributedRwLock.Guard>> w = CompletableFuture.supplyAsync(() -> {
          awaitQuietly(go);
          return lw.tryWriteLock();
        });
        CompletableFuture<DistributedRwLock.Guard> r = CompletableFuture.supplyAsync(() -> {
          awaitQuietly(go);
          try {
            return lr.readLock("reader", Duration.ZERO);
          } catch (DynamoException | InterruptedException e) {
            return null;
          }
        });
        go.countDown();
        var wg = w.get(10, TimeUnit.SECONDS);
        var rg = r.get(10, TimeUnit.SECONDS);
        if (wg.isPresent() && rg != null) {
          both++;
        }
        writes += wg.isPresent() ? 1 : 0;
        reads += rg != null ? 1 : 0;
        wg.ifPresent(DistributedRwLock.Guard::close);
        if (rg != null) {
          rg.close();
        }
      }
      assertThat(both).as("writer and reader held it together (writes %d, reads %d)", writes, reads).isZero();
      assertThat(writes + reads).as("someone got it every time").isGreaterThanOrEqualTo(60);
    }
  }

  static void awaitQuietly(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aDeadHoldersLockGoesWithItsLease() throws Exception {
    EtcdKeyValueStore dying = store();
    new DistributedRwLock(dying, "locks/crash").tryWriteLock().orElseThrow();
    // a clean shutdown revokes the lease; a crash would let it expire (10 s), with the same effect
    dying.shutdown();
    try (EtcdKeyValueStore other = store()) {
      assertThat(new DistributedRwLock(other, "locks/crash").tryWriteLock()).isPresent();
    }
  }

  @Test
  void badNamesAreRefused() {
    try (EtcdKeyValueStore s = store()) {
      assertThatThrownBy(() -> new DistributedRwLock(s, "/x")).hasMessageContaining("lock prefix");
      assertThatThrownBy(() -> new DistributedRwLock(s, "x").readLock("a/b", Duration.ofSeconds(1))).hasMessageContaining("reader id");
    }
  }
}
