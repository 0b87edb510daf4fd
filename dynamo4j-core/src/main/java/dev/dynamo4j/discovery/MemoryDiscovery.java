package dev.dynamo4j.discovery;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Discovery held in memory, shared through a {@link Registry} by every client in one JVM (each
 * client has its own random instance id). For tests and process-local runtimes; nothing leaves
 * the process.
 *
 * <p>Watchers get events through a bounded queue of {@value #WATCH_CAPACITY}; a writer blocks
 * while a watcher's queue is full, so no event is lost.
 */
public final class MemoryDiscovery implements Discovery {
  static final int WATCH_CAPACITY = 16_384;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Registry registry;
  private final long instanceId;
  private volatile boolean shutdown;

  public MemoryDiscovery(Registry registry) {
    this.registry = registry;
    this.instanceId = RANDOM.nextLong();
  }

  /** The shared state of all clients that should see each other. */
  public static final class Registry {
    private final Map<String, DiscoveryInstance> records = new LinkedHashMap<>();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    private void publish(DiscoveryEvent event) {
      for (Watch w : watches) {
        w.offer(event);
      }
    }
  }

  @Override
  public long instanceId() {
    return instanceId;
  }

  @Override
  public DiscoveryInstance register(DiscoverySpec spec) {
    ensureOpen();
    DiscoveryInstance inst = spec.toInstance(instanceId);
    synchronized (registry) {
      String key = inst.id().toPath();
      if (registry.records.containsKey(key)) {
        return registry.records.get(key); // create-if-absent, as every KV backend does
      }
      registry.records.put(key, inst);
      registry.publish(new DiscoveryEvent.Added(inst));
    }
    return inst;
  }

  @Override
  public void unregister(DiscoveryInstance instance) {
    synchronized (registry) {
      if (registry.records.remove(instance.id().toPath()) != null) {
        registry.publish(new DiscoveryEvent.Removed(instance.id()));
      }
    }
  }

  @Override
  public List<DiscoveryInstance> list(DiscoveryQuery query) {
    synchronized (registry) {
      List<DiscoveryInstance> out = new ArrayList<>();
      for (DiscoveryInstance i : registry.records.values()) {
        if (matches(query, i)) {
          out.add(i);
        }
      }
      return out;
    }
  }

  static boolean matches(DiscoveryQuery q, DiscoveryInstance i) {
    return i instanceof DiscoveryInstance.Endpoint e && q.matches(e.instance());
  }

  @Override
  public DiscoveryWatch listAndWatch(DiscoveryQuery query) {
    ensureOpen();
    Watch w = new Watch(query);
    synchronized (registry) {
      for (DiscoveryInstance i : registry.records.values()) {
        w.offer(new DiscoveryEvent.Added(i));
      }
      registry.watches.add(w);
    }
    return w;
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    synchronized (registry) {
      registry.records.values().removeIf(
          i -> {
            if (i.id().instanceId() == instanceId) {
              registry.publish(new DiscoveryEvent.Removed(i.id()));
              return true;
            }
            return false;
          });
    }
  }

  private void ensureOpen() {
    if (shutdown) {
      throw new DynamoException(ErrorType.Unavailable, "discovery client is shut down");
    }
  }

  private final class Watch implements DiscoveryWatch {
    private static final Object CLOSED = new Object();
    private final DiscoveryQuery query;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(WATCH_CAPACITY);
    private volatile boolean closed;

    Watch(DiscoveryQuery query) {
      this.query = query;
    }

    void offer(DiscoveryEvent e) {
      if (closed) {
        return;
      }
      boolean relevant =
          switch (e) {
            case DiscoveryEvent.Added a -> matches(query, a.instance());
            case DiscoveryEvent.Removed r ->
                r.id() instanceof DiscoveryInstanceId.Endpoint id
                    && query.matches(id.namespace(), id.component(), id.endpoint());
          };
      if (!relevant) {
        return;
      }
      try {
        while (!closed && !queue.offer(e, 100, TimeUnit.MILLISECONDS)) {
          // back-pressure: wait for the watcher, re-checking whether it was closed
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public DiscoveryEvent next() throws InterruptedException {
      if (closed) {
        return null;
      }
      Object o = queue.take();
      if (o == CLOSED) {
        queue.offer(CLOSED);
        return null;
      }
      return (DiscoveryEvent) o;
    }

    @Override
    public DiscoveryEvent poll(Duration timeout) throws InterruptedException {
      if (closed) {
        return null;
      }
      Object o = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (o == CLOSED) {
        queue.offer(CLOSED);
        return null;
      }
      return (DiscoveryEvent) o;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      registry.watches.remove(this);
      queue.clear();
      queue.offer(CLOSED);
    }
  }
}
