package dev.dynamo4j.internal.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.ConnectionListener;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreOutcome;
import dev.dynamo4j.spi.kv.WatchEvent;
import dev.dynamo4j.wire.WireFormatException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery on any {@link KeyValueStore}, with Dynamo's layout: records in the buckets {@code
 * v1/instances}, {@code v1/mdc}, {@code v1/event_channels} and {@code v1/event_sources}, keyed by
 * {@link DiscoveryInstanceId#toPath()}, valued by the record's JSON.
 *
 * <p>Registration is create-if-absent: an existing key is left as it is and no error is raised,
 * except that an event source whose existing descriptor differs is refused, and a model whose
 * card conflicts with another model on the same endpoint is refused (checked before and after
 * writing; a conflict found after is rolled back). Watches turn the store's events into {@code
 * Added} / {@code Removed}; a {@code Resync} is diffed against what the watcher knew, and a record
 * that no longer parses keeps its previous value. Events are converted on the reader's thread.
 */
public final class KvStoreDiscovery implements Discovery {
  private static final Logger log = LoggerFactory.getLogger(KvStoreDiscovery.class);
  static final List<String> BUCKETS =
      List.of(DiscoveryQuery.INSTANCES, DiscoveryQuery.MODELS, DiscoveryQuery.EVENT_CHANNELS, DiscoveryQuery.EVENT_SOURCES);

  private final KeyValueStore store;

  public KvStoreDiscovery(KeyValueStore store) {
    this.store = store;
  }

  @Override
  public Map<String, Long> gauges() {
    return store.gauges();
  }

  public KeyValueStore store() {
    return store;
  }

  @Override
  public long instanceId() {
    return store.connectionId();
  }

  @Override
  public void addConnectionListener(ConnectionListener listener) {
    store.addConnectionListener(listener);
  }

  /**
   * The bucket a full key prefix belongs to, respecting path boundaries ({@code v1/instances2/x}
   * is not in {@code v1/instances}); empty when none.
   */
  public static Optional<String> bucketForPrefix(String fullPrefix) {
    for (String b : BUCKETS) {
      if (DiscoveryQuery.matchesPrefix(fullPrefix, b)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  @Override
  public DiscoveryInstance register(DiscoverySpec spec) {
    DiscoveryInstance inst = spec.toInstance(instanceId());
    if (inst instanceof DiscoveryInstance.Model m) {
      checkModel(m);
    }
    Bucket bucket = store.getOrCreateBucket(DiscoveryQuery.bucketOf(inst), null);
    String key = inst.id().toPath();
    StoreOutcome outcome = bucket.insert(key, inst.toJson(), 0);
    if (outcome instanceof StoreOutcome.Exists && inst instanceof DiscoveryInstance.EventSource) {
      DiscoveryInstance existing = bucket.get(key).map(KvStoreDiscovery::parseOrNull).orElse(null);
      if (existing != null && !existing.equals(inst)) {
        throw new DynamoException(ErrorType.Conflict, "Event source incarnation '" + key + "' cannot change its descriptor");
      }
      return existing != null ? existing : inst;
    }
    if (inst instanceof DiscoveryInstance.Model m) {
      try {
        checkModel(m);
      } catch (DynamoException e) {
        if (outcome instanceof StoreOutcome.Created) {
          bucket.delete(key);
        }
        throw e;
      }
    }
    return inst;
  }

  /**
   * What the registration rule compares of a model card: its display name, its {@code
   * source_path} (null when missing or empty), whether it is a LoRA adapter (a model suffix or a
   * non-null {@code lora}), and its served names (the display name plus its {@code aliases}).
   */
  private record CardIdentity(String displayName, String sourcePath, boolean lora, Set<String> servedNames) {
    /** The base a LoRA adapter is compared on: its source path, else its display name. */
    String base() {
      return sourcePath != null ? sourcePath : displayName;
    }
  }

  private static CardIdentity identity(DiscoveryInstance.Model m) {
    JsonNode name = m.cardJson().get("display_name");
    if (name == null || !name.isTextual()) {
      throw new DynamoException(ErrorType.InvalidArgument, "failed to deserialize model display_name from card_json");
    }
    JsonNode source = m.cardJson().get("source_path");
    JsonNode lora = m.cardJson().get("lora");
    boolean isLora = m.modelSuffix() != null || (lora != null && !lora.isNull());
    String path = source != null && source.isTextual() && !source.textValue().isEmpty() ? source.textValue() : null;
    Set<String> served = new LinkedHashSet<>();
    served.add(name.textValue());
    JsonNode aliases = m.cardJson().get("aliases");
    if (aliases != null && aliases.isArray()) {
      for (JsonNode a : aliases) {
        if (a.isTextual()) {
          served.add(a.textValue());
        }
      }
    }
    return new CardIdentity(name.textValue(), path, isLora, served);
  }

  /**
   * Dynamo's newest registration rule (spec M1): two non-LoRA cards are compatible when their
   * display names are equal, or when they share a non-empty {@code source_path} and no served
   * name; a LoRA adapter is compatible with another card when their bases match and the adapter's
   * name is none of a base card's served names (in either registration order).
   */
  static boolean compatible(CardIdentity a, CardIdentity b) {
    if (a.lora || b.lora) {
      if (!a.base().equals(b.base())) {
        return false;
      }
      if (a.lora && !b.lora && b.servedNames.contains(a.displayName)) {
        return false;
      }
      return !(b.lora && !a.lora && a.servedNames.contains(b.displayName));
    }
    if (a.displayName.equals(b.displayName)) {
      return true;
    }
    return a.sourcePath != null
        && a.sourcePath.equals(b.sourcePath)
        && Collections.disjoint(a.servedNames, b.servedNames);
  }

  private void checkModel(DiscoveryInstance.Model m) {
    checkModelAgainst(m, list(new DiscoveryQuery.EndpointModels(m.namespace(), m.component(), m.endpoint())));
  }

  /**
   * Dynamo's registration rule for a model card against the cards already on its endpoint
   * ({@code others}; the card's own id is skipped), for every discovery backend.
   *
   * @throws DynamoException {@code Conflict} when a card there is not compatible (see {@link
   *     #compatible}); {@code InvalidArgument} when {@code m}'s card has no display name
   */
  public static void checkModelAgainst(DiscoveryInstance.Model m, List<DiscoveryInstance> others) {
    CardIdentity mine = identity(m);
    for (DiscoveryInstance other : others) {
      if (other instanceof DiscoveryInstance.Model om && !om.id().equals(m.id())) {
        CardIdentity theirs;
        try {
          theirs = identity(om);
        } catch (DynamoException e) {
          continue; // a broken card elsewhere does not block this one
        }
        if (!compatible(mine, theirs)) {
          throw new DynamoException(
              ErrorType.Conflict,
              "Cannot register model '" + mine.displayName + "' on endpoint '" + m.namespace() + "/" + m.component() + "/" + m.endpoint()
                  + "': a different model '" + theirs.displayName + "' is already registered there");
        }
      }
    }
  }

  @Override
  public void unregister(DiscoveryInstance instance) {
    Optional<Bucket> bucket = store.getBucket(DiscoveryQuery.bucketOf(instance));
    if (bucket.isEmpty()) {
      log.warn("unregister {}: bucket {} does not exist", instance.id().toPath(), DiscoveryQuery.bucketOf(instance));
      return;
    }
    bucket.get().delete(instance.id().toPath());
  }

  @Override
  public List<DiscoveryInstance> list(DiscoveryQuery query) {
    Optional<Bucket> bucket = store.getBucket(query.bucket());
    if (bucket.isEmpty()) {
      return List.of();
    }
    String strip = query.bucket() + "/";
    List<DiscoveryInstance> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : bucket.get().entries().entrySet()) {
      String key = e.getKey().startsWith(strip) ? e.getKey().substring(strip.length()) : e.getKey();
      if (query.matchesKey(key)) {
        DiscoveryInstance i = parseOrNull(e.getValue());
        if (i != null) {
          out.add(i);
        } else {
          log.warn("skipping unreadable discovery record {}", e.getKey());
        }
      }
    }
    return out;
  }

  @Override
  public DiscoveryWatch listAndWatch(DiscoveryQuery query) {
    Bucket bucket = store.getOrCreateBucket(query.bucket(), null);
    return new Watch(query, bucket.watch());
  }

  @Override
  public void shutdown() {
    store.shutdown();
  }

  static DiscoveryInstance parseOrNull(byte[] json) {
    try {
      return DiscoveryInstance.fromJson(json);
    } catch (WireFormatException e) {
      return null;
    }
  }

  static DiscoveryInstanceId idFromKey(String bucket, String key) {
    return switch (bucket) {
      case DiscoveryQuery.INSTANCES -> DiscoveryInstanceId.parseEndpoint(key);
      case DiscoveryQuery.MODELS -> DiscoveryInstanceId.parseModel(key);
      case DiscoveryQuery.EVENT_CHANNELS -> DiscoveryInstanceId.parseEvent(key, false);
      case DiscoveryQuery.EVENT_SOURCES -> DiscoveryInstanceId.parseEvent(key, true);
      default -> throw new WireFormatException("DiscoveryKey", "unknown bucket " + bucket);
    };
  }

  /** Converts store events to discovery events on the reader's thread. */
  static final class Watch implements DiscoveryWatch {
    private final DiscoveryQuery query;
    private final KvWatch kv;
    private final Map<String, DiscoveryInstance> known = new LinkedHashMap<>();
    private final ArrayDeque<DiscoveryEvent> pending = new ArrayDeque<>();

    Watch(DiscoveryQuery query, KvWatch kv) {
      this.query = query;
      this.kv = kv;
    }

    @Override
    public DiscoveryEvent next() throws InterruptedException {
      while (pending.isEmpty()) {
        WatchEvent e = kv.next();
        if (e == null) {
          return null;
        }
        apply(e);
      }
      return pending.pollFirst();
    }

    @Override
    public DiscoveryEvent poll(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (pending.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        WatchEvent e = kv.poll(Duration.ofNanos(left));
        if (e == null) {
          return null;
        }
        apply(e);
      }
      return pending.pollFirst();
    }

    /** Applies one store event; visible for the diffing tests. */
    void apply(WatchEvent e) {
      switch (e) {
        case WatchEvent.Put p -> {
          if (!query.matchesKey(p.key())) {
            return;
          }
          DiscoveryInstance i = parseOrNull(p.value());
          if (i == null) {
            log.warn("ignoring unreadable discovery record {}/{}", query.bucket(), p.key());
            return;
          }
          DiscoveryInstance old = known.put(p.key(), i);
          if (!i.equals(old)) {
            pending.add(new DiscoveryEvent.Added(i));
          }
        }
        case WatchEvent.Delete d -> {
          if (!query.matchesKey(d.key())) {
            return;
          }
          DiscoveryInstance old = known.remove(d.key());
          DiscoveryInstanceId id = old != null ? old.id() : idOrNull(d.key());
          if (id != null) {
            pending.add(new DiscoveryEvent.Removed(id));
          }
        }
        case WatchEvent.Resync r -> resync(r.entries());
      }
    }

    private DiscoveryInstanceId idOrNull(String key) {
      try {
        return idFromKey(query.bucket(), key);
      } catch (WireFormatException ex) {
        log.warn("cannot derive an id from deleted key {}/{}", query.bucket(), key);
        return null;
      }
    }

    private void resync(Map<String, byte[]> snapshot) {
      Map<String, DiscoveryInstance> next = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> en : snapshot.entrySet()) {
        if (!query.matchesKey(en.getKey())) {
          continue;
        }
        DiscoveryInstance i = parseOrNull(en.getValue());
        if (i == null) {
          DiscoveryInstance previous = known.get(en.getKey());
          if (previous != null) {
            next.put(en.getKey(), previous); // keep the last good value
          }
          log.warn("unreadable discovery record {}/{} in resync", query.bucket(), en.getKey());
        } else {
          next.put(en.getKey(), i);
        }
      }
      for (Map.Entry<String, DiscoveryInstance> old : known.entrySet()) {
        if (!next.containsKey(old.getKey())) {
          pending.add(new DiscoveryEvent.Removed(old.getValue().id()));
        }
      }
      for (Map.Entry<String, DiscoveryInstance> n : next.entrySet()) {
        if (!n.getValue().equals(known.get(n.getKey()))) {
          pending.add(new DiscoveryEvent.Added(n.getValue()));
        }
      }
      known.clear();
      known.putAll(next);
    }

    @Override
    public void close() {
      kv.close();
    }
  }
}
