package dev.dynamo4j.etcd;

import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.internal.kv.OwnedRecords;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.ConnectionListener;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.StoreException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
 *
 * <p>Code: this class connects, grants the lease and owns the records; {@link EtcdLease} keeps
 * the lease alive and renews it; {@link EtcdBucket} writes and watches one bucket (on the shared
 * {@link dev.dynamo4j.internal.kv.BucketMirror}).
 */
public final class EtcdKeyValueStore implements KeyValueStore {

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
  final KV kv;
  private final Lease leases;
  final Watch watches;
  private final Map<String, EtcdBucket> buckets = new ConcurrentHashMap<>();
  /** Full etcd key -> value of every record this store wrote and has not deleted. */
  final OwnedRecords<String> owned = new OwnedRecords<>(); // full etcd key -> value
  private final EtcdLease lease;
  private volatile boolean shutdown; // closed
  private final AtomicBoolean stopped = new AtomicBoolean();
  final AtomicLong watchBreaks = new AtomicLong();
  final AtomicLong watchResyncs = new AtomicLong();

  /**
   * {@code connected} (1 while keep-alives reach etcd), {@code lease_losses_total}, {@code
   * watch_breaks_total} (etcd watches that broke and were resumed), {@code watch_resyncs_total}
   * (a bucket read again after a compaction).
   */
  @Override
  public Map<String, Long> gauges() {
    Map<String, Long> g = new LinkedHashMap<>();
    g.put("connected", lease.connected() && !isShutdown() ? 1L : 0L);
    g.put("lease_losses_total", lease.losses());
    g.put("watch_breaks_total", watchBreaks.get());
    g.put("watch_resyncs_total", watchResyncs.get());
    return g;
  }
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
    Duration ttl = leaseTtl.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : leaseTtl;
    Duration wait = config.connectTimeout().plusSeconds(1);
    long granted = 0;
    try {
      granted = await(leases.grant(ttl.toSeconds()), wait, "grant the primary lease").getID();
      // etcd 3.4 grants leases without checking credentials; a read is checked, so fail now, not at the first write
      await(kv.get(bytes("v1/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()), wait, "read v1/");
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
    this.lease = new EtcdLease(leases, granted, ttl, policy, this::rewriteOwnedUnder);
    lease.start();
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
    return lease.id();
  }

  public Duration leaseTtl() {
    return lease.ttl();
  }

  public void addLeaseListener(LeaseListener l) {
    lease.addListener(l);
  }

  /** After a lost lease under {@code RENEW}: every owned record written again under the new one. */
  private int rewriteOwnedUnder(long fresh) {
    int n = 0;
    for (Map.Entry<String, byte[]> e : owned.entries()) {
      await(kv.put(ByteSequence.from(e.getKey(), StandardCharsets.UTF_8), ByteSequence.from(e.getValue()), PutOption.builder().withLeaseId(fresh).build()),
          REQUEST_TIMEOUT, "re-write " + e.getKey());
      n++;
    }
    return n;
  }

  /** The runtime's view of lease trouble: a renewal changes the id, a loss under SHUTDOWN ends it. */
  @Override
  public void addConnectionListener(ConnectionListener l) {
    lease.addListener(new LeaseListener() {
      @Override
      public void leaseLost(long id) {
        if (lease.policy() == LeaseLossPolicy.SHUTDOWN) {
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

  void ensureOpen() {
    if (isShutdown()) {
      throw new StoreException(StoreException.Kind.ProviderError, "etcd store is shut down");
    }
  }

  /** Closed, or its lease was lost under {@code SHUTDOWN}: no more writes. */
  boolean isShutdown() {
    return shutdown || lease.gone();
  }

  /** Re-points a bucket's watch at {@code revision}, as after a broken connection (tests). */
  void rewatchFrom(String bucket, long revision) {
    buckets.get(bucket).watchFrom(revision);
  }

  // ---- store ----

  @Override
  public Bucket getOrCreateBucket(String name, Duration bucketTtl) {
    ensureOpen();
    return buckets.computeIfAbsent(name, n -> new EtcdBucket(this, n, watchCapacity));
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
    for (EtcdBucket b : buckets.values()) {
      b.close();
    }
    lease.stopAndRevoke(Duration.ofSeconds(3));
    owned.clear();
    client.close();
  }
}
