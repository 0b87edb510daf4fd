package dev.dynamo4j.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.wire.Json;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DYN_DISCOVERY_BACKEND=kubernetes}: Dynamo's Kubernetes discovery. This process's records
 * live in its own {@code DynamoWorkerMetadata} (see {@link MetadataWriter}); everyone's records are
 * read from two informers in the pod's namespace, EndpointSlices (pod mode) or Pods (container
 * mode) carrying Dynamo's two discovery labels, and every {@code DynamoWorkerMetadata}, joined by
 * {@link JoinTable}: a worker's records are listed while it is ready.
 *
 * <p>Threads: the informers call in on fabric8's threads; every change is applied under one lock
 * and wakes the watches. A watch keeps its own view and computes what changed when it is read,
 * so a slow reader never makes anyone wait and never misses the end state (changes in between
 * are folded into one diff, as a resync after a gap would give). {@link #list} after this
 * process's own write waits (at most {@value #OWN_WRITE_WAIT_MS} ms) until the informer has seen
 * that write, so a register is visible to the next list of the same client when the pod is ready.
 *
 * <p>Failure: a write the API server refuses fails the register/unregister with {@code
 * Unavailable}, and the local state is rolled back to what was there before.
 */
public final class KubernetesDiscovery implements Discovery {
  private static final Logger log = LoggerFactory.getLogger(KubernetesDiscovery.class);
  static final Map<String, String> LABELS = KubeView.LABELS;
  static final Duration OWN_WRITE_WAIT = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final KubeIdentity id;
  private final MetadataWriter writer;
  private final KubeView view;
  private final ReentrantLock writeLock = new ReentrantLock();
  private DiscoveryMetadata mine = new DiscoveryMetadata(); // guarded by writeLock
  private volatile boolean closed;

  /**
   * Clears a stale resource of this pod, then joins (or starts, waiting for its first list) the
   * process's view of the namespace.
   *
   * @param ownsClient close {@code client} on {@link #shutdown()}
   */
  KubernetesDiscovery(KubernetesClient client, boolean ownsClient, KubeIdentity id, MetadataWriter writer) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.id = id;
    this.writer = writer;
    writer.clearStale();
    this.view = KubeView.acquire(client, id.namespace(), id.mode());
    log.info("Kubernetes discovery in namespace {} as {} (instance id {}, {} mode)", id.namespace(), id.crName(), Long.toHexString(id.instanceId()),
        id.mode().name().toLowerCase(Locale.ROOT));
  }

  @Override
  public long instanceId() {
    return id.instanceId();
  }

  @Override
  public DiscoveryInstance register(DiscoverySpec spec) {
    DiscoveryInstance inst = spec.toInstance(instanceId());
    if (inst instanceof DiscoveryInstance.Model m) {
      KvStoreDiscovery.checkModelAgainst(m, list(new DiscoveryQuery.EndpointModels(m.namespace(), m.component(), m.endpoint())));
    }
    if (inst instanceof DiscoveryInstance.EventChannel ch && (ch.instanceId() & ~RustHash.JSON_SAFE_MASK) != 0) {
      throw new DynamoException(ErrorType.InvalidArgument, "Kubernetes discovery publisher ID " + Long.toUnsignedString(ch.instanceId())
          + " exceeds the JSON-safe maximum " + RustHash.JSON_SAFE_MASK);
    }
    DiscoveryInstance[] result = {inst};
    write(md -> {
      if (inst instanceof DiscoveryInstance.EventSource) {
        DiscoveryInstance existing = md.get(inst);
        if (existing != null) {
          if (!existing.equals(inst)) {
            throw new DynamoException(ErrorType.Conflict, "Event source incarnation '" + inst.id().toPath() + "' cannot change its descriptor");
          }
          result[0] = existing;
          return false;
        }
      }
      return md.put(inst);
    });
    return result[0];
  }

  @Override
  public void unregister(DiscoveryInstance instance) {
    write(md -> md.remove(instance));
  }

  /** Changes this worker's records and applies the resource; the local state changes only when the API server took it. */
  private void write(Predicate<DiscoveryMetadata> change) {
    writeLock.lock();
    try {
      if (closed) {
        throw new DynamoException(ErrorType.Unavailable, "Kubernetes discovery is shut down");
      }
      DiscoveryMetadata next = mine.copy();
      if (!change.test(next)) {
        return; // nothing changed (an identical re-register, an absent unregister)
      }
      view.wrote(id.crName(), writer.apply(next.toJson()));
      mine = next;
    } finally {
      writeLock.unlock();
    }
  }

  /** Under the view's lock: waits (bounded) until the informer shows this process's writes. */
  private void awaitOwnWrite() {
    view.awaitOwnWrites(OWN_WRITE_WAIT);
  }

  /** This worker's {@code spec.data}, as Dynamo serves it on {@code GET /metadata}. */
  @Override
  public Optional<byte[]> metadata() {
    writeLock.lock();
    try {
      return Optional.of(mine.toJson().toString().getBytes(StandardCharsets.UTF_8));
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public List<DiscoveryInstance> list(DiscoveryQuery query) {
    view.lock.lock();
    try {
      awaitOwnWrite();
      return view.list(query);
    } finally {
      view.lock.unlock();
    }
  }

  @Override
  public DiscoveryWatch listAndWatch(DiscoveryQuery query) {
    return view.watch(query, this::awaitOwnWrite, () -> closed);
  }

  /**
   * Withdraws this worker's records (Dynamo leaves them to the Pod's garbage collection; a clean
   * shutdown here removes them at once), waits until the view shows it, and leaves the view.
   */
  @Override
  public void shutdown() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      if (!mine.isEmpty()) {
        try {
          view.wrote(id.crName(), writer.apply(new DiscoveryMetadata().toJson()));
          mine = new DiscoveryMetadata();
          view.lock.lock();
          try {
            awaitOwnWrite(); // watches of this process see the withdrawal before they end
          } finally {
            view.lock.unlock();
          }
        } catch (DynamoException e) {
          log.warn("could not withdraw this worker's records at shutdown (the Pod's garbage collection will remove them): {}", e.getMessage());
        }
      }
      closed = true;
    } finally {
      writeLock.unlock();
    }
    view.lock.lock();
    try {
      view.changed.signalAll();
    } finally {
      view.lock.unlock();
    }
    view.release();
    if (ownsClient) {
      client.close();
    }
  }
}
