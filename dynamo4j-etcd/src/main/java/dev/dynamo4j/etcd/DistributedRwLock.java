package dev.dynamo4j.etcd;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Dynamo's reader-writer lock on etcd (spec dynamo-model §3.3), shared by every process that uses
 * the same {@code prefix}: the writer holds {@code v1/<prefix>/writer} (value {@code writing}),
 * each reader {@code v1/<prefix>/readers/<reader id>} (value {@code reading}). Both keys are bound
 * to the store's primary lease, so a process that dies releases its locks when the lease expires.
 *
 * <p>{@link #tryWriteLock()} never waits: it fails when anything is held under {@code
 * v1/<prefix>/}, otherwise creates the writer key in a create-if-absent transaction. Dynamo leaves
 * a small window in which a reader can slip in between the check and the create; here the writer
 * checks the readers again after creating its key and backs off (deleting it) if one got in, so
 * the lock is exclusive. {@link #readLock} retries every 100 ms, up to its timeout, the transaction
 * "no writer key: put my reader key".
 *
 * <p>Guards release by deleting their key on {@link Guard#close()} (idempotent). Calls block the
 * calling thread; etcd failures are {@code StoreException}s. Thread-safe.
 */
public final class DistributedRwLock {
  /** Dynamo's default wait for a read lock. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);

  static final Duration POLL = Duration.ofMillis(100);

  private final EtcdKeyValueStore store;
  private final KV kv;
  private final String root;

  /** A lock at {@code v1/<prefix>/}. */
  public DistributedRwLock(EtcdKeyValueStore store, String prefix) {
    if (prefix.isEmpty() || prefix.startsWith("/") || prefix.endsWith("/")) {
      throw new DynamoException(ErrorType.InvalidArgument, "lock prefix must be non-empty without a leading or trailing '/', got '" + prefix + "'");
    }
    this.store = store;
    this.kv = store.client().getKVClient();
    this.root = "v1/" + prefix + "/";
  }

  /** A held lock; {@link #close()} releases it. */
  public final class Guard implements AutoCloseable {
    private final String key;
    private final AtomicBoolean released = new AtomicBoolean();

    Guard(String key) {
      this.key = key;
    }

    /** The etcd key that holds the lock. */
    public String key() {
      return key;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        EtcdKeyValueStore.await(kv.delete(bytes(key)), EtcdKeyValueStore.REQUEST_TIMEOUT, "release lock " + key);
      }
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private long countUnder(String prefix) {
    return EtcdKeyValueStore.await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build()),
        EtcdKeyValueStore.REQUEST_TIMEOUT, "look at " + prefix).getCount();
  }

  /** The write lock if nobody holds any lock here now; empty otherwise (never waits). */
  public Optional<Guard> tryWriteLock() {
    if (countUnder(root) > 0) {
      return Optional.empty();
    }
    String writer = root + "writer";
    ByteSequence k = bytes(writer);
    TxnResponse t = EtcdKeyValueStore.await(kv.txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
            .Then(Op.put(k, bytes("writing"), PutOption.builder().withLeaseId(store.connectionId()).build()))
            .commit(),
        EtcdKeyValueStore.REQUEST_TIMEOUT, "take write lock " + writer);
    if (!t.isSucceeded()) {
      return Optional.empty();
    }
    Guard g = new Guard(writer);
    if (countUnder(root + "readers/") > 0) {
      g.close(); // a reader got in between the check and the create
      return Optional.empty();
    }
    return Optional.of(g);
  }

  /**
   * A read lock for {@code readerId} (unique per reader), waiting up to {@code timeout} for a
   * writer to let go.
   *
   * @throws DynamoException {@code DeadlineExceeded} when a writer still holds the lock at the end
   */
  public Guard readLock(String readerId, Duration timeout) throws InterruptedException {
    if (readerId.isEmpty() || readerId.contains("/")) {
      throw new DynamoException(ErrorType.InvalidArgument, "reader id must be non-empty without '/', got '" + readerId + "'");
    }
    String reader = root + "readers/" + readerId;
    ByteSequence writer = bytes(root + "writer");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      TxnResponse t = EtcdKeyValueStore.await(kv.txn()
              .If(new Cmp(writer, Cmp.Op.EQUAL, CmpTarget.version(0)))
              .Then(Op.put(bytes(reader), bytes("reading"), PutOption.builder().withLeaseId(store.connectionId()).build()))
              .commit(),
          EtcdKeyValueStore.REQUEST_TIMEOUT, "take read lock " + reader);
      if (t.isSucceeded()) {
        return new Guard(reader);
      }
      if (System.nanoTime() >= deadline) {
        throw new DynamoException(ErrorType.DeadlineExceeded, "read lock " + reader + " not acquired in " + timeout.toMillis() + " ms: a writer holds " + root);
      }
      Thread.sleep(POLL); // Dynamo's poll interval for a waiting reader
    }
  }
}
