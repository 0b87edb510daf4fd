package dev.dynamo4j.internal.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamo's {@code watch_and_extract_field}: follows model records and keeps, per instance id, a
 * value extracted from each model card. After every change the whole map is published to the
 * listeners (on the watch's virtual thread) and is available from {@link #current()}.
 *
 * <p>A card the extractor cannot handle is skipped with a warning; an instance's value goes away
 * when its model record is removed. {@link #close()} ends the watch.
 */
final class FieldWatch<V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FieldWatch.class);

  private final DiscoveryWatch watch;
  private final Function<JsonNode, V> extractor;
  private final List<Consumer<Map<Long, V>>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private Map<Long, V> current = Map.of();
  private long version;
  private final Thread thread;

  private FieldWatch(DiscoveryWatch watch, Function<JsonNode, V> extractor) {
    this.watch = watch;
    this.extractor = extractor;
    this.thread = Thread.ofVirtual().name("dynamo4j-field-watch").start(this::run);
  }

  /** Starts following {@code query} (a model query) on {@code discovery}. */
  public static <V> FieldWatch<V> start(Discovery discovery, DiscoveryQuery query, Function<JsonNode, V> extractor) {
    return new FieldWatch<>(discovery.listAndWatch(query), extractor);
  }

  public void addListener(Consumer<Map<Long, V>> listener) {
    listeners.add(listener);
  }

  /** The latest map, instance id to extracted value. */
  public Map<Long, V> current() {
    synchronized (lock) {
      return current;
    }
  }

  /** Blocks until the map has changed more than {@code seenVersion} times or the timeout passes. */
  public Map<Long, V> awaitVersion(long seenVersion, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (version <= seenVersion) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return current;
    }
  }

  public long version() {
    synchronized (lock) {
      return version;
    }
  }

  private void run() {
    Map<Long, V> map = new LinkedHashMap<>();
    try {
      DiscoveryEvent e;
      while ((e = watch.next()) != null) {
        boolean changed = false;
        if (e instanceof DiscoveryEvent.Added a && a.instance() instanceof DiscoveryInstance.Model m) {
          try {
            V v = extractor.apply(m.cardJson());
            if (v != null) {
              map.put(m.instanceId(), v);
              changed = true;
            }
          } catch (RuntimeException ex) {
            log.warn("skipping model card of instance {}: {}", Long.toHexString(m.instanceId()), ex.toString());
          }
        } else if (e instanceof DiscoveryEvent.Removed r) {
          changed = map.remove(r.id().instanceId()) != null;
        }
        if (changed) {
          Map<Long, V> snapshot = Map.copyOf(map);
          synchronized (lock) {
            current = snapshot;
            version++;
            lock.notifyAll();
          }
          for (Consumer<Map<Long, V>> l : listeners) {
            l.accept(snapshot);
          }
        }
      }
    } catch (InterruptedException ie) {
      // closed
    }
  }

  @Override
  public void close() {
    watch.close();
    thread.interrupt();
  }
}
