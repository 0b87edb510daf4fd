package dev.dynamo4j.etcd;

import dev.dynamo4j.kv.Bucket;
import dev.dynamo4j.kv.BucketMirror;
import dev.dynamo4j.kv.ConnectionListener;
import dev.dynamo4j.kv.KeyValueStore;
import dev.dynamo4j.kv.KvWatch;
import dev.dynamo4j.kv.MemoryKeyValueStore;
import dev.dynamo4j.kv.OwnedRecords;
import dev.dynamo4j.kv.StoreException;
import dev.dynamo4j.kv.StoreOutcome;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyValueStore} on etcd v3 ({@code DYN_DISCOVERY_BACKEND=etcd}, Dynamo's default), laid
 * out as Dynamo lays it out (spec dynamo-model §3.2): a bucket is the key prefix {@code
 * <bucket>/}, a key is stored at {@code <bucket>/<key>} unencoded.
 *
 * <p><b>Lease.</b> The store grants a primary lease (TTL 10 s by default) when it is created; its
 * id is {@link #connectionId()} and so the runtime's instance id. Every record this store writes
 * is bound to it, so a process that dies loses its records when the lease expires and a clean
 * {@link #shutdown()} revokes it, deleting them all at once. A daemon virtual thread sends a
 * keep-alive every TTL/2 and, after a failure, every 500 ms until the lease's deadline. When the
 * lease is lost (etcd says TTL 0, or the deadline passes with etcd unreachable) the {@link
 * LeaseLossPolicy} decides: {@code RENEW} (the default) grants a new lease as soon as etcd answers,
 * re-writes every record this store owns under it, and tells the {@link LeaseListener}s; {@code
 * SHUTDOWN} only tells the listeners, as Dynamo does before it stops the process.
 *
 * <p><b>Writes.</b> Insert at revision 0 is the transaction "if version(key) = 0 then put with the
 * lease, else get"; {@code Created(1)} or {@code Exists(version)}. Insert at revision n &gt; 0
 * needs the key to exist ({@code MissingKey} otherwise) and puts with the lease. Compare-and-replace
 * is one transaction on the value.
 *
 * <p><b>Watches.</b> The first watch of a bucket reads the prefix (revision R) and watches from
 * R + 1; all watchers of the bucket share that one etcd watch through a bounded fan-out that gives
 * a lagging watcher a fresh {@code Resync} instead of dropping changes. When the etcd watch breaks
 * (etcd restarted, connection lost) it is re-established from the last revision seen + 1, 500 ms
 * to 5 s apart, for as long as the store is open, so no change is missed; when that revision has
 * been compacted meanwhile the bucket is read again and every watcher gets a fresh {@code Resync}
 * (never silent loss). Callbacks run on jetcd's threads and never block.
 *
 * <p>Blocking calls wait at most the configured request timeout (10 s) and fail with {@link
 * StoreException} {@code ProviderError} naming the key and etcd's error.
 */
public final class EtcdKeyValueStore implements KeyValueStore {
  private static final Logger log = LoggerFactory.getLogger(EtcdKeyValueStore.class);

  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final Duration RETRY_MIN = Duration.ofMillis(500);
  static final Duration RETRY_MAX = Duration.ofSeconds(5);

  /** What to do when the primary lease is lost. */
  public enum LeaseLossPolicy {
    /** Grant a new lease, re-write every owned record under it, keep going (the default). */
    RENEW,
    /** Tell the listeners and stop keeping anything alive; Dynamo shuts the process down here. */
    SHUTDOWN
  }

  /** Told about lease trouble; called on the keep-alive thread, so return quickly. */
  public interface LeaseListener {
    /** The lease {@code leaseId} expired or was revoked; every record bound to it is gone. */
    default void leaseLost(long leaseId) {}

    /** A new lease replaced {@code oldLeaseId} and the owned records were written again under it. */
    default void leaseRenewed(long oldLeaseId, long newLeaseId) {}
  }

  private final Client client;
  private final KV kv;
  private final Lease leases;
  private final Watch watches;
  private final Duration ttl;
  private final LeaseLossPolicy policy;
  private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, EtcdBucket> buckets = new ConcurrentHashMap<>();
  /** Full etcd key -> value of every record this store wrote and has not deleted. */
  private final OwnedRecords<String> owned = new OwnedRecords<>(); // full etcd key -> value
  private volatile long leaseId;
  private volatile boolean leaseGone; // lost under SHUTDOWN: nothing to revoke
  private volatile boolean shutdown; // no more writes: closed, or the lease was lost under SHUTDOWN
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile boolean keepAliveOk = true; // the last keep-alive reached etcd
  private final AtomicLong leaseLosses = new AtomicLong();
  private final AtomicLong watchBreaks = new AtomicLong();
  private final AtomicLong watchResyncs = new AtomicLong();

  /**
   * {@code connected} (1 while keep-alives reach etcd), {@code lease_losses_total}, {@code
   * watch_breaks_total} (etcd watches that broke and were resumed), {@code watch_resyncs_total}
   * (a bucket read again after a compaction).
   */
  @Override
  public Map<String, Long> gauges() {
    Map<String, Long> g = new LinkedHashMap<>();
    g.put("connected", keepAliveOk && !shutdown ? 1L : 0L);
    g.put("lease_losses_total", leaseLosses.get());
    g.put("watch_breaks_total", watchBreaks.get());
    g.put("watch_resyncs_total", watchResyncs.get());
    return g;
  }
  private final Thread keepAlive;
  private final int watchCapacity;

  /**
   * Connects, grants the primary lease and starts keeping it alive.
   *
   * @throws StoreException {@code ProviderError} "cannot reach etcd at [...]" when no endpoint
   *     answers within the connect timeout
   */
  public static EtcdKeyValueStore connect(EtcdConfig config, Duration leaseTtl, LeaseLossPolicy policy) {
    return connect(config, leaseTtl, policy, MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
  }

  /** As {@link #connect(EtcdConfig, Duration, LeaseLossPolicy)}; a watcher buffers at most {@code watchCapacity} events before its next read becomes a fresh {@code Resync}. */
  public static EtcdKeyValueStore connect(EtcdConfig config, Duration leaseTtl, LeaseLossPolicy policy, int watchCapacity) {
    return new EtcdKeyValueStore(client(config), config, leaseTtl, policy, watchCapacity);
  }

  static Client client(EtcdConfig config) {
    ClientBuilder b = Client.builder()
        .endpoints(config.endpoints().toArray(URI[]::new))
        .connectTimeout(config.connectTimeout())
        .keepaliveTime(Duration.ofSeconds(5))
        .keepaliveTimeout(Duration.ofSeconds(3))
        .retryMaxDuration(Duration.ofSeconds(5));
    if (config.username() != null) {
      b.user(bytes(config.username())).password(bytes(config.password()));
    }
    if (config.tls()) {
      try {
        SslContextBuilder ssl = GrpcSslContexts.forClient();
        if (config.ca() != null) {
          try (InputStream ca = config.ca().open()) {
            ssl.trustManager(ca);
          }
        }
        if (config.clientCert() != null) {
          try (InputStream cert = config.clientCert().open(); InputStream key = config.clientKey().open()) {
            ssl.keyManager(cert, key);
          }
        }
        b.sslContext(ssl.build());
      } catch (IOException | RuntimeException e) {
        throw new StoreException(StoreException.Kind.ProviderError, "cannot set up TLS for etcd from " + config.ca() + ", " + config.clientCert() + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  EtcdKeyValueStore(Client client, EtcdConfig config, Duration leaseTtl, LeaseLossPolicy policy) {
    this(client, config, leaseTtl, policy, MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
  }

  EtcdKeyValueStore(Client client, EtcdConfig config, Duration leaseTtl, LeaseLossPolicy policy, int watchCapacity) {
    this.watchCapacity = watchCapacity;
    this.client = client;
    this.kv = client.getKVClient();
    this.leases = client.getLeaseClient();
    this.watches = client.getWatchClient();
    this.ttl = leaseTtl.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : leaseTtl;
    this.policy = policy;
    Duration wait = config.connectTimeout().plusSeconds(1);
    long granted = 0;
    try {
      granted = await(leases.grant(ttl.toSeconds()), wait, "grant the primary lease").getID();
      // etcd 3.4 grants leases without checking credentials; a read is checked, so fail now, not at the first write
      await(kv.get(bytes("v1/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()), wait, "read v1/");
      this.leaseId = granted;
    } catch (StoreException e) {
      if (granted != 0) {
        leases.revoke(granted);
      }
      client.close();
      Throwable c = e.getCause();
      String why = c instanceof TimeoutException || c == null || c.getMessage() == null ? "no answer within " + wait.toMillis() + " ms" : c.getMessage();
      if (why.contains("UNAUTHENTICATED") || why.contains("PERMISSION_DENIED") || why.contains("user name is empty") || why.contains("invalid auth token")) {
        throw new StoreException(StoreException.Kind.ProviderError, "etcd at " + config.endpoints() + " refused us: authentication failed ("
            + why + ") for " + (config.username() == null ? "no user (set ETCD_AUTH_USERNAME and ETCD_AUTH_PASSWORD)" : "user '" + config.username() + "'; check ETCD_AUTH_PASSWORD"), e);
      }
      String tlsHint = config.tls() ? "; with TLS a refused handshake looks the same: check ETCD_AUTH_CA, ETCD_AUTH_CLIENT_CERT and ETCD_AUTH_CLIENT_KEY" : "";
      throw new StoreException(StoreException.Kind.ProviderError,
          "cannot reach etcd at " + config.endpoints() + " (" + why + "); check that etcd is running and ETCD_ENDPOINTS / --etcd-endpoints" + tlsHint, e);
    }
    this.keepAlive = Thread.ofVirtual().name("dynamo4j-etcd-lease-" + Long.toHexString(leaseId)).start(this::keepAliveLoop);
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      throw new StoreException(StoreException.Kind.WatchCancelled, "interrupted while trying to " + what, e);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new StoreException(StoreException.Kind.ProviderError, "etcd did not answer in " + timeout.toMillis() + " ms to " + what, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new StoreException(StoreException.Kind.ProviderError, "etcd failed to " + what + ": " + c.getMessage(), c);
    }
  }

  /** The primary lease id (the runtime's instance id); changes when a lost lease is renewed. */
  @Override
  public long connectionId() {
    return leaseId;
  }

  public Duration leaseTtl() {
    return ttl;
  }

  public void addLeaseListener(LeaseListener l) {
    listeners.add(l);
  }

  /** The runtime's view of lease trouble: a renewal changes the id, a loss under SHUTDOWN ends it. */
  @Override
  public void addConnectionListener(ConnectionListener l) {
    listeners.add(new LeaseListener() {
      @Override
      public void leaseLost(long id) {
        if (policy == LeaseLossPolicy.SHUTDOWN) {
          l.connectionLost(id);
        }
      }

      @Override
      public void leaseRenewed(long oldLeaseId, long newLeaseId) {
        l.connectionIdChanged(oldLeaseId, newLeaseId);
      }
    });
  }

  /** The jetcd client, for tools and tests that need etcd directly (compaction, locks). */
  public Client client() {
    return client;
  }

  private void ensureOpen() {
    if (shutdown) {
      throw new StoreException(StoreException.Kind.ProviderError, "etcd store is shut down");
    }
  }

  // ---- lease ----

  private void keepAliveLoop() {
    long deadline = System.nanoTime() + ttl.toNanos();
    long next = System.nanoTime() + ttl.toNanos() / 2;
    while (!shutdown) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(Duration.ofNanos(wait)); // the keep-alive period, a timer
        } catch (InterruptedException e) {
          return;
        }
      }
      if (shutdown) {
        return;
      }
      long id = leaseId;
      try {
        LeaseKeepAliveResponse r = leases.keepAliveOnce(id).get(Math.max(200, Math.min(2000, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
        if (r.getTTL() <= 0) {
          onLeaseLost(id, "etcd reports it expired");
          deadline = System.nanoTime() + ttl.toNanos();
          next = System.nanoTime() + ttl.toNanos() / 2;
          continue;
        }
        deadline = System.nanoTime() + Duration.ofSeconds(r.getTTL()).toNanos();
        next = System.nanoTime() + ttl.toNanos() / 2;
        keepAliveOk = true;
      } catch (InterruptedException e) {
        return;
      } catch (ExecutionException | TimeoutException e) {
        keepAliveOk = false;
        Throwable c = e.getCause() == null ? e : e.getCause();
        if (c.getMessage() != null && c.getMessage().contains("requested lease not found")) {
          onLeaseLost(id, "etcd no longer knows it");
          deadline = System.nanoTime() + ttl.toNanos();
          next = System.nanoTime() + ttl.toNanos() / 2;
        } else if (System.nanoTime() > deadline) {
          onLeaseLost(id, "no keep-alive reached etcd for " + ttl.toSeconds() + " s (" + c + ")");
          deadline = System.nanoTime() + ttl.toNanos();
          next = System.nanoTime() + ttl.toNanos() / 2;
        } else {
          log.debug("lease {} keep-alive failed, retrying: {}", Long.toHexString(id), c.toString());
          next = System.nanoTime() + RETRY_MIN.toNanos();
        }
      }
    }
  }

  private void onLeaseLost(long id, String why) {
    leaseLosses.incrementAndGet();
    if (shutdown) {
      return;
    }
    log.warn("etcd lease {} lost: {}; policy {}", Long.toHexString(id), why, policy);
    for (LeaseListener l : listeners) {
      try {
        l.leaseLost(id);
      } catch (RuntimeException e) {
        log.warn("lease listener failed", e);
      }
    }
    if (policy == LeaseLossPolicy.SHUTDOWN) {
      leaseGone = true;
      shutdown = true; // nothing more is kept alive; writes fail from now on
      return;
    }
    Duration backoff = RETRY_MIN;
    while (!shutdown) {
      try {
        long fresh = await(leases.grant(ttl.toSeconds()), REQUEST_TIMEOUT, "grant a new lease").getID();
        leaseId = fresh;
        keepAliveOk = true; // etcd answered
        for (Map.Entry<String, byte[]> e : owned.entries()) {
          await(kv.put(ByteSequence.from(e.getKey(), StandardCharsets.UTF_8), ByteSequence.from(e.getValue()), PutOption.builder().withLeaseId(fresh).build()),
              REQUEST_TIMEOUT, "re-write " + e.getKey());
        }
        log.warn("etcd lease {} replaced by {}; {} record(s) written again", Long.toHexString(id), Long.toHexString(fresh), owned.size());
        for (LeaseListener l : listeners) {
          try {
            l.leaseRenewed(id, fresh);
          } catch (RuntimeException e) {
            log.warn("lease listener failed", e);
          }
        }
        return;
      } catch (StoreException e) {
        log.debug("cannot renew the lease yet: {}", e.getMessage());
        try {
          Thread.sleep(backoff); // reconnect back-off while etcd is away
        } catch (InterruptedException ie) {
          return;
        }
        backoff = backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : backoff.multipliedBy(2);
      }
    }
  }

  /** Re-points a bucket's watch at {@code revision}, as after a broken connection (tests). */
  void rewatchFrom(String bucket, long revision) {
    buckets.get(bucket).watchFrom(revision);
  }

  // ---- store ----

  @Override
  public Bucket getOrCreateBucket(String name, Duration bucketTtl) {
    ensureOpen();
    return buckets.computeIfAbsent(name, EtcdBucket::new);
  }

  /** A bucket exists when at least one key has its prefix (etcd has no buckets of its own). */
  @Override
  public Optional<Bucket> getBucket(String name) {
    ensureOpen();
    EtcdBucket b = buckets.get(name);
    if (b != null) {
      return Optional.of(b);
    }
    GetResponse r = await(kv.get(bytes(name + "/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()), REQUEST_TIMEOUT, "look up bucket " + name);
    return r.getCount() == 0 ? Optional.empty() : Optional.of(getOrCreateBucket(name, null));
  }

  /**
   * Ends every watch, revokes the lease (etcd deletes every record bound to it at once) and
   * closes the client. Safe to call twice.
   */
  @Override
  public void shutdown() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    shutdown = true;
    keepAlive.interrupt();
    for (EtcdBucket b : buckets.values()) {
      b.close();
    }
    try {
      if (!leaseGone) {
        await(leases.revoke(leaseId), Duration.ofSeconds(3), "revoke lease " + Long.toHexString(leaseId));
      }
    } catch (StoreException e) {
      log.warn("could not revoke lease {} (its records expire within {} s): {}", Long.toHexString(leaseId), ttl.toSeconds(), e.getMessage());
    }
    owned.clear();
    client.close();
  }

  private final class EtcdBucket implements Bucket {
    final String name;
    final String prefix;
    final BucketMirror mirror; // bucket-relative key -> value
    private Watch.Watcher watcher; // guarded by this
    private volatile long generation; // callbacks of replaced watchers are ignored
    private final AtomicLong handled = new AtomicLong(-1);
    private volatile long lastRevision;
    private volatile boolean closed;

    EtcdBucket(String name) {
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
      ensureOpen();
      ByteSequence k = full(key);
      ByteSequence v = ByteSequence.from(value);
      PutOption withLease = PutOption.builder().withLeaseId(leaseId).build();
      if (revision == 0) {
        TxnResponse t = await(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))).Then(Op.put(k, v, withLease)).Else(Op.get(k, GetOption.DEFAULT)).commit(),
            REQUEST_TIMEOUT, "create " + prefix + key);
        if (t.isSucceeded()) {
          owned.created(prefix + key, value);
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
      var put = await(kv.put(k, v, PutOption.builder().withLeaseId(leaseId).withPrevKV().build()), REQUEST_TIMEOUT, "write " + prefix + key);
      owned.created(prefix + key, value);
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
      ensureOpen();
      ByteSequence k = full(key);
      TxnResponse t = await(kv.txn()
              .If(new Cmp(k, Cmp.Op.GREATER, CmpTarget.version(0)), new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.from(expected))))
              .Then(Op.put(k, ByteSequence.from(value), PutOption.builder().withLeaseId(leaseId).build()), Op.get(k, GetOption.DEFAULT))
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
      owned.replaced(prefix + key, value);
      return kvs.isEmpty() ? 0 : kvs.get(0).getVersion();
    }

    @Override
    public boolean delete(String key) {
      owned.deleted(prefix + key);
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
      ensureOpen();
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
          watchResyncs.incrementAndGet();
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
      watcher = watches.watch(bytes(prefix), opt, Watch.listener(
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
      if (closed || shutdown || gen != generation || handled.getAndSet(gen) == gen) {
        return;
      }
      boolean compacted = t instanceof CompactedException || (t.getMessage() != null && t.getMessage().contains("compacted"));
      watchBreaks.incrementAndGet();
      log.info("etcd watch of {} broke at revision {} ({}); {}", prefix, lastRevision, t.toString(), compacted ? "reading it again" : "resuming");
      Thread.ofVirtual().name("dynamo4j-etcd-rewatch").start(() -> rewatch(compacted));
    }

    private void rewatch(boolean compacted) {
      Duration backoff = RETRY_MIN;
      while (!closed && !shutdown) {
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
}
