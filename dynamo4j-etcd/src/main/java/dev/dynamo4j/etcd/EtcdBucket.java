package dev.dynamo4j.etcd;

import static dev.dynamo4j.etcd.EtcdKeyValueStore.REQUEST_TIMEOUT;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.RETRY_MAX;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.RETRY_MIN;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.await;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.bytes;

import dev.dynamo4j.internal.kv.BucketMirror;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.StoreOutcome;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bucket of an {@link EtcdKeyValueStore}: the key prefix {@code <bucket>/}, its writes (bound
 * to the store's lease) and its watch. The first {@link #watch()} reads the prefix at revision R
 * into a {@link BucketMirror} and watches from R + 1; all watchers share that etcd watch. A broken
 * watch is resumed from the last revision seen + 1 ({@code RETRY_MIN} to {@code RETRY_MAX} apart,
 * on a virtual thread, while the store is open); a compacted one reads the prefix again and gives
 * every watcher a fresh {@code Resync}. jetcd's callbacks run on its threads and never block.
 */
final class EtcdBucket implements Bucket {
  private static final Logger log = LoggerFactory.getLogger(EtcdBucket.class);
  private final EtcdKeyValueStore store;
  private final KV kv;
  final String name;
  final String prefix;
  final BucketMirror mirror; // bucket-relative key -> value
  private Watch.Watcher watcher; // guarded by this
  private volatile long generation; // callbacks of replaced watchers are ignored
  private final AtomicLong handled = new AtomicLong(-1);
  private volatile long lastRevision;
  private volatile boolean closed;

  EtcdBucket(EtcdKeyValueStore store, String name, int watchCapacity) {
    this.store = store;
    this.kv = store.kv;
    this.name = name;
    this.prefix = name + "/";
    this.mirror = new BucketMirror(watchCapacity);
  }

  @Override
  public String name() {
    return name;
  }

  private ByteSequence full(String key) {
    return bytes(prefix + key);
  }

  @Override
  public StoreOutcome insert(String key, byte[] value, long revision) {
    store.ensureOpen();
    ByteSequence k = full(key);
    ByteSequence v = ByteSequence.from(value);
    PutOption withLease = PutOption.builder().withLeaseId(store.connectionId()).build();
    if (revision == 0) {
      TxnResponse t = await(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))).Then(Op.put(k, v, withLease)).Else(Op.get(k, GetOption.DEFAULT)).commit(),
          REQUEST_TIMEOUT, "create " + prefix + key);
      if (t.isSucceeded()) {
        store.owned.created(prefix + key, value);
        return new StoreOutcome.Created(1);
      }
      List<KeyValue> kvs = t.getGetResponses().isEmpty() ? List.of() : t.getGetResponses().get(0).getKvs();
      return new StoreOutcome.Exists(kvs.isEmpty() ? 0 : kvs.get(0).getVersion());
    }
    GetResponse cur = await(kv.get(k), REQUEST_TIMEOUT, "read " + prefix + key);
    if (cur.getKvs().isEmpty()) {
      throw new StoreException(StoreException.Kind.MissingKey, prefix + key);
    }
    long before = cur.getKvs().get(0).getVersion();
    if (before != revision) {
      log.debug("{}{}: writing revision {} over etcd version {}", prefix, key, revision, before);
    }
    var put = await(kv.put(k, v, PutOption.builder().withLeaseId(store.connectionId()).withPrevKV().build()), REQUEST_TIMEOUT, "write " + prefix + key);
    store.owned.created(prefix + key, value);
    if (!put.hasPrevKv()) {
      return new StoreOutcome.Created(1); // deleted between the read and the write
    }
    long prev = put.getPrevKv().getVersion();
    return new StoreOutcome.Created(prev == revision ? revision : prev + 1);
  }

  @Override
  public Optional<byte[]> get(String key) {
    GetResponse r = await(kv.get(full(key)), REQUEST_TIMEOUT, "read " + prefix + key);
    return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(r.getKvs().get(0).getValue().getBytes());
  }

  @Override
  public long compareAndReplace(String key, byte[] expected, byte[] value) {
    store.ensureOpen();
    ByteSequence k = full(key);
    TxnResponse t = await(kv.txn()
            .If(new Cmp(k, Cmp.Op.GREATER, CmpTarget.version(0)), new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.from(expected))))
            .Then(Op.put(k, ByteSequence.from(value), PutOption.builder().withLeaseId(store.connectionId()).build()), Op.get(k, GetOption.DEFAULT))
            .Else(Op.get(k, GetOption.DEFAULT))
            .commit(),
        REQUEST_TIMEOUT, "replace " + prefix + key);
    List<KeyValue> kvs = t.getGetResponses().isEmpty() ? List.of() : t.getGetResponses().get(0).getKvs();
    if (!t.isSucceeded()) {
      if (kvs.isEmpty()) {
        throw new StoreException(StoreException.Kind.MissingKey, prefix + key);
      }
      throw new StoreException(StoreException.Kind.Retry, prefix + key + " changed");
    }
    store.owned.replaced(prefix + key, value);
    return kvs.isEmpty() ? 0 : kvs.get(0).getVersion();
  }

  @Override
  public boolean delete(String key) {
    store.owned.deleted(prefix + key);
    return await(kv.delete(full(key)), REQUEST_TIMEOUT, "delete " + prefix + key).getDeleted() > 0;
  }

  @Override
  public Map<String, byte[]> entries() {
    GetResponse r = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()), REQUEST_TIMEOUT, "list " + name);
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (KeyValue e : r.getKvs()) {
      out.put(e.getKey().toString(StandardCharsets.UTF_8), e.getValue().getBytes());
    }
    return out;
  }

  @Override
  public KvWatch watch() {
    store.ensureOpen();
    startWatching();
    return mirror.watch();
  }

  private synchronized void startWatching() {
    if (watcher != null) {
      return;
    }
    long rev = reload(false);
    watchFrom(rev + 1);
  }

  /** Reads the whole prefix into the mirror; returns the revision it was read at. */
  private long reload(boolean resync) {
    GetResponse r = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()), REQUEST_TIMEOUT, "list " + name);
    Map<String, byte[]> now = new LinkedHashMap<>();
    for (KeyValue e : r.getKvs()) {
      now.put(e.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length()), e.getValue().getBytes());
    }
    mirror.atomically(() -> { // the revision moves with the contents: no event of a re-watch slips between
      mirror.reset(now, resync);
      lastRevision = r.getHeader().getRevision();
      if (resync) {
        store.watchResyncs.incrementAndGet();
      }
    });
    return r.getHeader().getRevision();
  }

  /** Starts (or restarts) the etcd watch at {@code revision}. */
  synchronized void watchFrom(long revision) {
    if (closed) {
      return;
    }
    long gen = ++generation;
    if (watcher != null) {
      watcher.close();
    }
    WatchOption opt = WatchOption.builder().isPrefix(true).withRevision(revision).build();
    watcher = store.watches.watch(bytes(prefix), opt, Watch.listener(
        r -> onEvents(gen, r), t -> onWatchError(gen, t), () -> onWatchError(gen, new IllegalStateException("etcd ended the watch"))));
  }

  private void onEvents(long gen, WatchResponse resp) {
    if (gen != generation) {
      return;
    }
    mirror.atomically(() -> {
      for (WatchEvent e : resp.getEvents()) {
        KeyValue kvp = e.getKeyValue();
        if (kvp.getModRevision() <= lastRevision) {
          continue; // already seen before a re-watch
        }
        lastRevision = kvp.getModRevision();
        String key = kvp.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
        if (e.getEventType() == WatchEvent.EventType.PUT) {
          mirror.put(key, kvp.getValue().getBytes());
        } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
          mirror.remove(key);
        }
      }
    });
  }

  private void onWatchError(long gen, Throwable t) {
    // jetcd may report one broken watch twice (an error, then completion): handle it once
    if (closed || store.isShutdown() || gen != generation || handled.getAndSet(gen) == gen) {
      return;
    }
    boolean compacted = t instanceof CompactedException || (t.getMessage() != null && t.getMessage().contains("compacted"));
    store.watchBreaks.incrementAndGet();
    log.info("etcd watch of {} broke at revision {} ({}); {}", prefix, lastRevision, t.toString(), compacted ? "reading it again" : "resuming");
    Thread.ofVirtual().name("dynamo4j-etcd-rewatch").start(() -> rewatch(compacted));
  }

  private void rewatch(boolean compacted) {
    Duration backoff = RETRY_MIN;
    while (!closed && !store.isShutdown()) {
      try {
        if (compacted) {
          long rev = reload(true);
          watchFrom(rev + 1);
        } else {
          // a cheap request first, so the watch is only re-established once etcd answers
          await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build()), REQUEST_TIMEOUT, "reach etcd");
          watchFrom(lastRevision + 1);
        }
        return;
      } catch (StoreException e) {
        log.debug("etcd watch of {} not back yet: {}", prefix, e.getMessage());
        try {
          Thread.sleep(backoff); // reconnect back-off while etcd is away
        } catch (InterruptedException ie) {
          return;
        }
        backoff = backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : backoff.multipliedBy(2);
      }
    }
  }

  synchronized void close() {
    closed = true;
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    mirror.closeWatches();
  }
}
