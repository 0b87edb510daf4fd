package dev.dynamo4j.etcd;

import static dev.dynamo4j.etcd.EtcdKeyValueStore.REQUEST_TIMEOUT;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.RETRY_MAX;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.RETRY_MIN;
import static dev.dynamo4j.etcd.EtcdKeyValueStore.await;

import dev.dynamo4j.etcd.EtcdKeyValueStore.LeaseListener;
import dev.dynamo4j.etcd.EtcdKeyValueStore.LeaseLossPolicy;
import dev.dynamo4j.spi.kv.StoreException;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary lease of one {@link EtcdKeyValueStore} and the virtual thread that keeps it alive:
 * a keep-alive every TTL/2 and, after a failure, every {@code RETRY_MIN} until the lease's
 * deadline. A lease etcd reports expired or unknown, or whose deadline passes with etcd
 * unreachable, is lost: the listeners are told (on this thread), then the {@link LeaseLossPolicy}
 * decides: {@code RENEW} grants a new lease as soon as etcd answers ({@code RETRY_MIN} to {@code
 * RETRY_MAX} apart), has the store re-write its records under it ({@link Rewriter}) and tells the
 * listeners; {@code SHUTDOWN} marks the lease gone for good (the store takes no more writes).
 */
final class EtcdLease {
  private static final Logger log = LoggerFactory.getLogger(EtcdLease.class);

  /** Writes every record the store owns again, bound to {@code freshLeaseId}; throws {@link StoreException} when etcd fails. */
  interface Rewriter {
    int rewriteUnder(long freshLeaseId);
  }

  private final Lease leases;
  private final Duration ttl;
  private final LeaseLossPolicy policy;
  private final Rewriter rewriter;
  private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong losses = new AtomicLong();
  private volatile long id;
  private volatile boolean gone; // lost under SHUTDOWN: nothing to revoke, nothing more to keep alive
  private volatile boolean stopped;
  private volatile boolean keepAliveOk = true; // the last keep-alive reached etcd
  private Thread keepAlive;

  EtcdLease(Lease leases, long granted, Duration ttl, LeaseLossPolicy policy, Rewriter rewriter) {
    this.leases = leases;
    this.id = granted;
    this.ttl = ttl;
    this.policy = policy;
    this.rewriter = rewriter;
  }

  void start() {
    keepAlive = Thread.ofVirtual().name("dynamo4j-etcd-lease-" + Long.toHexString(id)).start(this::keepAliveLoop);
  }

  long id() {
    return id;
  }

  Duration ttl() {
    return ttl;
  }

  LeaseLossPolicy policy() {
    return policy;
  }

  void addListener(LeaseListener l) {
    listeners.add(l);
  }

  /** Lost under {@code SHUTDOWN}: the store takes no more writes. */
  boolean gone() {
    return gone;
  }

  /** Whether the last keep-alive reached etcd. */
  boolean connected() {
    return keepAliveOk;
  }

  long losses() {
    return losses.get();
  }

  /** Stops keeping the lease alive and revokes it (etcd deletes every record bound to it), waiting at most {@code wait}. */
  void stopAndRevoke(Duration wait) {
    stopped = true;
    if (keepAlive != null) {
      keepAlive.interrupt();
    }
    if (gone) {
      return;
    }
    try {
      await(leases.revoke(id), wait, "revoke lease " + Long.toHexString(id));
    } catch (StoreException e) {
      log.warn("could not revoke lease {} (its records expire within {} s): {}", Long.toHexString(id), ttl.toSeconds(), e.getMessage());
    }
  }

  private boolean over() {
    return stopped || gone;
  }

  private void keepAliveLoop() {
    long deadline = System.nanoTime() + ttl.toNanos();
    long next = System.nanoTime() + ttl.toNanos() / 2;
    while (!over()) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(Duration.ofNanos(wait)); // the keep-alive period, a timer
        } catch (InterruptedException e) {
          return;
        }
      }
      if (over()) {
        return;
      }
      long id = this.id;
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
    losses.incrementAndGet();
    if (over()) {
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
      gone = true; // nothing more is kept alive; writes fail from now on
      return;
    }
    Duration backoff = RETRY_MIN;
    while (!over()) {
      try {
        long fresh = await(leases.grant(ttl.toSeconds()), REQUEST_TIMEOUT, "grant a new lease").getID();
        this.id = fresh;
        keepAliveOk = true; // etcd answered
        int rewritten = rewriter.rewriteUnder(fresh);
        log.warn("etcd lease {} replaced by {}; {} record(s) written again", Long.toHexString(id), Long.toHexString(fresh), rewritten);
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
}
