package dev.dynamo4j.nats;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.kv.BucketMirror;
import dev.dynamo4j.internal.kv.Liveness;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.internal.kv.OwnedRecords;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.StoreOutcome;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyValueStore} on JetStream KV ({@code DYN_DISCOVERY_BACKEND=nats}; Dynamo has no such
 * backend).
 *
 * <p><b>Names.</b> A bucket name becomes a KV bucket by turning every character outside {@code
 * [A-Za-z0-9_-]} into {@code _} ({@code v1/instances} -> {@code v1_instances}). Keys keep {@code
 * [-/_A-Za-z0-9]} and write every other byte as {@code =XX} (so {@code .}, {@code %} and
 * non-ASCII are safe in NATS subjects); decoding reverses it.
 *
 * <p><b>Liveness.</b> Like the file store, records live for the TTL (default 10 s) after their
 * last write: every max(TTL/3, 1 s) (the stores' shared {@link Liveness} timer, the work on a
 * virtual thread) the store re-puts the records it owns and
 * deletes records older than the TTL in the buckets it has open (a conditional delete on the
 * revision it saw, so a record re-put meanwhile survives). Deletions leave delete markers, which
 * watches report. {@link #shutdown()} deletes the owned records at once.
 *
 * <p><b>Watches.</b> The first watch of a bucket starts a jnats KV watch (an ordered consumer
 * that survives reconnects) whose initial values form the snapshot ({@link BucketMirror}); only real changes are
 * published (a keep-alive re-put of an unchanged value is not an event).
 */
public final class NatsKeyValueStore implements KeyValueStore {
  private static final Logger log = LoggerFactory.getLogger(NatsKeyValueStore.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Connection nc;

  /** {@code connected} (1 while the NATS connection is up), {@code reconnects_total}. */
  @Override
  public Map<String, Long> gauges() {
    return NatsConnections.gauges(nc);
  }
  private final boolean ownsConnection;
  private final KeyValueManagement kvm;
  private final Duration ttl;
  private final int watchCapacity;
  private final long connectionId = RANDOM.nextLong();
  private final Map<String, NatsBucket> buckets = new ConcurrentHashMap<>();
  private final Liveness.Task sweeper;
  private volatile boolean shutdown;

  public NatsKeyValueStore(Connection nc, boolean ownsConnection, Duration ttl) {
    this(nc, ownsConnection, ttl, MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
  }

  /** @param watchCapacity events a watcher buffers before its next read becomes a fresh {@code Resync} */
  public NatsKeyValueStore(Connection nc, boolean ownsConnection, Duration ttl, int watchCapacity) {
    NatsConnections.requireJetStream(nc);
    this.watchCapacity = watchCapacity;
    this.nc = nc;
    this.ownsConnection = ownsConnection;
    this.ttl = ttl.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : ttl;
    try {
      this.kvm = nc.keyValueManagement();
    } catch (IOException e) {
      throw new StoreException(StoreException.Kind.ProviderError, "cannot use JetStream KV: " + e.getMessage(), e);
    }
    this.sweeper = Liveness.every(() -> Duration.ofMillis(Math.max(this.ttl.toMillis() / 3, 1000)), this::sweepAll, "nats-kv");
  }

  static String bucketName(String name) {
    StringBuilder sb = new StringBuilder();
    for (char c : name.toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  static String encodeKey(String key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/';
      if (ok) {
        sb.append((char) c);
      } else {
        sb.append('=').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  static String decodeKey(String encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '=' && i + 2 < encoded.length()) {
        out.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public long connectionId() {
    return connectionId;
  }

  private void ensureOpen() {
    if (shutdown) {
      throw new StoreException(StoreException.Kind.ProviderError, "NATS KV store is shut down");
    }
  }

  @Override
  public Bucket getOrCreateBucket(String name, Duration bucketTtl) {
    ensureOpen();
    return buckets.computeIfAbsent(name, n -> {
      String bn = bucketName(n);
      try {
        if (!exists(bn)) {
          try {
            kvm.create(KeyValueConfiguration.builder().name(bn).maxHistoryPerKey(1).storageType(StorageType.File).build());
          } catch (JetStreamApiException e) {
            if (!exists(bn)) {
              throw e; // not a lost race with another creator
            }
          }
        }
        return new NatsBucket(n, nc.keyValue(bn));
      } catch (IOException | JetStreamApiException e) {
        throw new StoreException(StoreException.Kind.ProviderError, "cannot open KV bucket " + bn + ": " + e.getMessage(), e);
      }
    });
  }

  private boolean exists(String bn) throws IOException {
    try {
      kvm.getStatus(bn);
      return true;
    } catch (JetStreamApiException e) {
      return false;
    }
  }

  @Override
  public Optional<Bucket> getBucket(String name) {
    ensureOpen();
    NatsBucket b = buckets.get(name);
    if (b != null) {
      return Optional.of(b);
    }
    try {
      if (!exists(bucketName(name))) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new StoreException(StoreException.Kind.ProviderError, "cannot look up KV bucket " + name + ": " + e.getMessage(), e);
    }
    return Optional.of(getOrCreateBucket(name, null));
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    sweeper.cancel();
    for (NatsBucket b : buckets.values()) {
      b.close();
    }
    if (ownsConnection) {
      try {
        nc.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void sweepAll() {
    for (NatsBucket b : buckets.values()) {
      if (shutdown) {
        return;
      }
      try {
        b.sweep();
      } catch (RuntimeException e) {
        log.warn("sweep of KV bucket {} failed: {}", b.name, e.toString());
      }
    }
  }

  private static StoreException provider(String what, Exception e) {
    return new StoreException(StoreException.Kind.ProviderError, what + ": " + e.getMessage(), e);
  }

  private final class NatsBucket implements Bucket {
    final String name;
    final KeyValue kv;
    final OwnedRecords<String> owned = new OwnedRecords<>(); // decoded key -> value
    final BucketMirror mirror;
    private NatsKeyValueWatchSubscription watch;

    NatsBucket(String name, KeyValue kv) {
      this.name = name;
      this.kv = kv;
      this.mirror = new BucketMirror(watchCapacity);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public StoreOutcome insert(String key, byte[] value, long revision) {
      ensureOpen();
      String k = encodeKey(key);
      try {
        if (revision == 0) {
          try {
            kv.create(k, value);
          } catch (JetStreamApiException e) {
            KeyValueEntry existing = kv.get(k);
            if (existing != null) {
              return new StoreOutcome.Exists(existing.getRevision());
            }
            throw e;
          }
        } else {
          kv.put(k, value);
        }
        owned.created(key, value);
        return new StoreOutcome.Created(revision);
      } catch (IOException | JetStreamApiException e) {
        throw provider("cannot write " + name + "/" + key, e);
      }
    }

    private KeyValueEntry live(String k) throws IOException, JetStreamApiException {
      KeyValueEntry e = kv.get(k);
      return e == null || e.getOperation() != KeyValueOperation.PUT ? null : e;
    }

    @Override
    public Optional<byte[]> get(String key) {
      try {
        KeyValueEntry e = live(encodeKey(key));
        return e == null ? Optional.empty() : Optional.of(e.getValue() == null ? new byte[0] : e.getValue());
      } catch (IOException | JetStreamApiException e) {
        throw provider("cannot read " + name + "/" + key, e);
      }
    }

    @Override
    public long compareAndReplace(String key, byte[] expected, byte[] value) {
      ensureOpen();
      String k = encodeKey(key);
      try {
        KeyValueEntry e = live(k);
        if (e == null) {
          throw new StoreException(StoreException.Kind.MissingKey, name + "/" + key);
        }
        byte[] cur = e.getValue() == null ? new byte[0] : e.getValue();
        if (!Arrays.equals(cur, expected)) {
          throw new StoreException(StoreException.Kind.Retry, name + "/" + key + " changed");
        }
        long rev;
        try {
          rev = kv.update(k, value, e.getRevision());
        } catch (JetStreamApiException race) {
          throw new StoreException(StoreException.Kind.Retry, name + "/" + key + " changed", race);
        }
        owned.replaced(key, value);
        return rev;
      } catch (IOException | JetStreamApiException e) {
        throw provider("cannot replace " + name + "/" + key, e);
      }
    }

    @Override
    public boolean delete(String key) {
      owned.deleted(key);
      String k = encodeKey(key);
      try {
        if (live(k) == null) {
          return false;
        }
        kv.delete(k);
        return true;
      } catch (IOException | JetStreamApiException e) {
        throw provider("cannot delete " + name + "/" + key, e);
      }
    }

    @Override
    public Map<String, byte[]> entries() {
      Map<String, byte[]> out = new LinkedHashMap<>();
      try {
        for (String k : kv.keys()) {
          KeyValueEntry e = live(k);
          if (e != null) {
            out.put(name + "/" + decodeKey(k), e.getValue() == null ? new byte[0] : e.getValue());
          }
        }
      } catch (IOException | JetStreamApiException e) {
        throw provider("cannot list " + name, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(StoreException.Kind.WatchCancelled, "interrupted while listing " + name, e);
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
      if (watch != null) {
        return;
      }
      CountDownLatch initial = new CountDownLatch(1);
      KeyValueWatcher watcher = new KeyValueWatcher() {
        @Override
        public void watch(KeyValueEntry e) {
          String key = decodeKey(e.getKey());
          if (e.getOperation() == KeyValueOperation.PUT) {
            mirror.put(key, e.getValue() == null ? new byte[0] : e.getValue());
          } else {
            mirror.remove(key);
          }
        }

        @Override
        public void endOfData() {
          initial.countDown();
        }
      };
      try {
        watch = kv.watchAll(watcher);
        if (!initial.await(30, TimeUnit.SECONDS)) {
          throw new StoreException(StoreException.Kind.ProviderError, "KV watch of " + name + " did not deliver its initial values in 30 s");
        }
      } catch (IOException | JetStreamApiException e) {
        throw provider("cannot watch " + name, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(StoreException.Kind.WatchCancelled, "interrupted while establishing the watch of " + name, e);
      }
    }

    void sweep() {
      for (Map.Entry<String, byte[]> e : owned.entries()) {
        try {
          kv.put(encodeKey(e.getKey()), e.getValue());
        } catch (IOException | JetStreamApiException ex) {
          log.warn("cannot keep {}/{} alive: {}", name, e.getKey(), ex.toString());
        }
      }
      ZonedDateTime staleBefore = ZonedDateTime.now().minus(ttl);
      try {
        for (String k : kv.keys()) {
          if (owned.owns(decodeKey(k))) {
            continue;
          }
          KeyValueEntry e = kv.get(k);
          if (e != null && e.getOperation() == KeyValueOperation.PUT && e.getCreated().isBefore(staleBefore)) {
            try {
              kv.delete(k, e.getRevision());
              log.debug("removed stale record {}/{}", name, decodeKey(k));
            } catch (JetStreamApiException raced) {
              // re-put by its owner meanwhile: alive after all
            }
          }
        }
      } catch (IOException | JetStreamApiException ex) {
        log.warn("cannot sweep {}: {}", name, ex.toString());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }

    synchronized void close() {
      for (Map.Entry<String, byte[]> record : owned.entries()) {
        String key = record.getKey();
        try {
          kv.delete(encodeKey(key));
        } catch (IOException | JetStreamApiException e) {
          log.warn("could not delete {}/{} at shutdown: {}", name, key, e.toString());
        }
      }
      owned.clear();
      if (watch != null) {
        try {
          watch.unsubscribe();
        } catch (RuntimeException e) {
          log.debug("unsubscribing the watch of {}: {}", name, e.toString());
        }
      }
      mirror.closeWatches();
    }
  }

  /** Errors for callers that pass a bad TTL and the like. */
  static DynamoException invalid(String msg) {
    return new DynamoException(ErrorType.InvalidArgument, msg);
  }
}
