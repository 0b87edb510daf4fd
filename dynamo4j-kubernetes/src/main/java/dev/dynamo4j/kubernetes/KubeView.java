package dev.dynamo4j.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.wire.Json;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a process sees of Kubernetes discovery in one namespace: two informers (EndpointSlices in
 * pod mode or Pods in container mode, with Dynamo's two labels; every {@code
 * DynamoWorkerMetadata}) joined by {@link JoinTable}. One view per client and namespace is shared
 * by the discovery handles of a process ({@link #acquire}/{@link #release}); the informers close
 * with the last one.
 *
 * <p>Threads: informer callbacks (fabric8's threads) apply each change under one lock and wake
 * the watches. A watch keeps its own view and computes what changed when it is read, so a slow
 * reader holds nobody up and always converges on the current state (changes in between are folded
 * into one diff, as a resync after a gap would be).
 */
final class KubeView {
  private static final Logger log = LoggerFactory.getLogger(KubeView.class);
  static final String LABEL_BACKEND = "nvidia.com/dynamo-discovery-backend";
  static final String LABEL_ENABLED = "nvidia.com/dynamo-discovery-enabled";
  static final Map<String, String> LABELS = Map.of(LABEL_BACKEND, "kubernetes", LABEL_ENABLED, "true");
  static final ResourceDefinitionContext CRD = new ResourceDefinitionContext.Builder()
      .withGroup("nvidia.com").withVersion("v1alpha1").withKind(MetadataWriter.KIND).withPlural(MetadataWriter.PLURAL).withNamespaced(true).build();

  private record Key(KubernetesClient client, String namespace, KubeIdentity.Mode mode) {}

  private static final Map<Key, KubeView> VIEWS = new HashMap<>();

  private final Key key;
  private int users; // guarded by VIEWS
  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();
  private final JoinTable table = new JoinTable(); // guarded by lock
  private Map<DiscoveryInstanceId, DiscoveryInstance> state = Map.of(); // guarded by lock
  private long version; // bumped on every change of state; guarded by lock
  private final Map<String, String> seenVersions = new HashMap<>(); // the resourceVersion last seen per resource; guarded by lock
  private final Map<String, String> writtenVersions = new HashMap<>(); // the resourceVersion this process last wrote per resource; guarded by lock
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private volatile boolean closed;

  private KubeView(Key key) {
    this.key = key;
  }

  /** The view of {@code namespace} through {@code client}, started (first list done) on first use. */
  static KubeView acquire(KubernetesClient client, String namespace, KubeIdentity.Mode mode) {
    synchronized (VIEWS) {
      Key k = new Key(client, namespace, mode);
      KubeView v = VIEWS.get(k);
      if (v == null) {
        v = new KubeView(k);
        v.start();
        VIEWS.put(k, v);
      }
      v.users++;
      return v;
    }
  }

  /** One user fewer; the last closes the informers. */
  void release() {
    synchronized (VIEWS) {
      if (--users > 0) {
        return;
      }
      VIEWS.remove(key);
    }
    closed = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    informers.forEach(SharedIndexInformer::close);
  }

  private void start() {
    KubernetesClient client = key.client();
    try {
      informers.add(client.genericKubernetesResources(CRD).inNamespace(key.namespace()).inform(new ResourceHandler(), 0));
      if (key.mode() == KubeIdentity.Mode.POD) {
        informers.add(client.discovery().v1().endpointSlices().inNamespace(key.namespace()).withLabels(LABELS).inform(new SliceHandler(), 0));
      } else {
        informers.add(client.pods().inNamespace(key.namespace()).withLabels(LABELS).inform(new PodHandler(), 0));
      }
    } catch (RuntimeException e) {
      informers.forEach(SharedIndexInformer::close);
      throw new DynamoException(ErrorType.Unavailable, "cannot watch discovery in namespace " + key.namespace() + ": " + e.getMessage(), e);
    }
  }

  /** The names ready in one EndpointSlice: endpoints ready, with a target's name and uid. */
  static Set<String> readyNames(EndpointSlice slice) {
    Set<String> names = new HashSet<>();
    if (slice.getEndpoints() != null) {
      for (var e : slice.getEndpoints()) {
        boolean ready = e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady());
        var t = e.getTargetRef();
        if (ready && t != null && t.getName() != null && !t.getName().isEmpty() && t.getUid() != null && !t.getUid().isEmpty()) {
          names.add(t.getName());
        }
      }
    }
    return names;
  }

  /** The names ready in one Pod (container mode): each ready container's resource name. */
  static Set<String> readyNames(Pod pod) {
    Set<String> names = new HashSet<>();
    if (pod.getMetadata() == null || pod.getMetadata().getUid() == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return names;
    }
    for (var c : pod.getStatus().getContainerStatuses()) {
      if (Boolean.TRUE.equals(c.getReady())) {
        names.add(KubeIdentity.of(pod.getMetadata().getName(), pod.getMetadata().getUid(), "", KubeIdentity.Mode.CONTAINER, c.getName()).crName());
      }
    }
    return names;
  }

  private void update(BooleanSupplier change) {
    lock.lock();
    try {
      if (change.getAsBoolean()) {
        state = table.instances();
        version++;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private final class SliceHandler implements ResourceEventHandler<EndpointSlice> {
    @Override
    public void onAdd(EndpointSlice s) {
      update(() -> table.setReady("slice/" + s.getMetadata().getName(), readyNames(s)));
    }

    @Override
    public void onUpdate(EndpointSlice old, EndpointSlice s) {
      onAdd(s);
    }

    @Override
    public void onDelete(EndpointSlice s, boolean unknownFinalState) {
      update(() -> table.setReady("slice/" + s.getMetadata().getName(), null));
    }
  }

  private final class PodHandler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod p) {
      update(() -> table.setReady("pod/" + p.getMetadata().getName(), readyNames(p)));
    }

    @Override
    public void onUpdate(Pod old, Pod p) {
      onAdd(p);
    }

    @Override
    public void onDelete(Pod p, boolean unknownFinalState) {
      update(() -> table.setReady("pod/" + p.getMetadata().getName(), null));
    }
  }

  private final class ResourceHandler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource r) {
      String name = r.getMetadata().getName();
      Object spec = r.getAdditionalProperties().get("spec");
      JsonNode data = spec == null ? null : Json.MAPPER.valueToTree(spec).get("data");
      String uid = r.getMetadata().getUid() == null ? "" : r.getMetadata().getUid();
      String rv = r.getMetadata().getResourceVersion();
      // the generation; a server that keeps none (fabric8's mock) is read again on every resourceVersion
      String revision = r.getMetadata().getGeneration() != null ? "g" + r.getMetadata().getGeneration() : "rv" + rv;
      update(() -> {
        seenVersions.put(name, rv);
        return table.putResource(name, uid, revision, data);
      });
    }

    @Override
    public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource r) {
      onAdd(r);
    }

    @Override
    public void onDelete(GenericKubernetesResource r, boolean unknownFinalState) {
      String name = r.getMetadata().getName();
      update(() -> {
        seenVersions.remove(name);
        return table.removeResource(name);
      });
    }
  }

  /** This process wrote version {@code written} of resource {@code name} (null: unknown). */
  void wrote(String name, String written) {
    lock.lock();
    try {
      if (written == null) {
        writtenVersions.remove(name);
      } else {
        writtenVersions.put(name, written);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the informer has seen every write of this process. */
  private boolean caughtUp() {
    for (Map.Entry<String, String> w : writtenVersions.entrySet()) {
      if (newer(w.getValue(), seenVersions.get(w.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Under {@link #lock}: waits at most {@code timeout} until the informer has seen every write
   * this process made (through any of its discovery handles), so what it wrote is what it lists.
   */
  void awaitOwnWrites(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!closed && !caughtUp()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        log.debug("the informer has not shown every write of this process yet");
        return;
      }
      try {
        changed.awaitNanos(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Whether {@code written} is newer than {@code seen}; resource versions compare as numbers where they are, else only equality counts. */
  static boolean newer(String written, String seen) {
    if (seen == null) {
      return true;
    }
    if (written.equals(seen)) {
      return false;
    }
    try {
      return Long.parseLong(written) > Long.parseLong(seen);
    } catch (NumberFormatException opaque) {
      return true;
    }
  }

  /** Under {@link #lock}: the records matching {@code query} now. */
  List<DiscoveryInstance> list(DiscoveryQuery query) {
    List<DiscoveryInstance> out = new ArrayList<>();
    for (DiscoveryInstance i : state.values()) {
      if (query.matches(i)) {
        out.add(i);
      }
    }
    return out;
  }

  /** A watch of {@code query}; {@code beforeFirst} runs under the lock before its first read (waits for the caller's own write). */
  DiscoveryWatch watch(DiscoveryQuery query, Runnable beforeFirst, BooleanSupplier ended) {
    return new Watch(query, beforeFirst, ended);
  }

  private final class Watch implements DiscoveryWatch {
    private final DiscoveryQuery query;
    private final Runnable beforeFirst;
    private final BooleanSupplier ended;
    private final Map<DiscoveryInstanceId, DiscoveryInstance> view = new HashMap<>(); // guarded by lock
    private final ArrayDeque<DiscoveryEvent> pending = new ArrayDeque<>(); // guarded by lock
    private long seen = -1; // the state version the view matches; guarded by lock
    private volatile boolean watchClosed;

    Watch(DiscoveryQuery query, Runnable beforeFirst, BooleanSupplier ended) {
      this.query = query;
      this.beforeFirst = beforeFirst;
      this.ended = ended;
    }

    private boolean over() {
      return watchClosed || closed || ended.getAsBoolean();
    }

    /** Under lock: the events that take the view to the current state. */
    private void catchUp() {
      if (seen == version) {
        return;
      }
      seen = version;
      Map<DiscoveryInstanceId, DiscoveryInstance> now = new HashMap<>();
      for (DiscoveryInstance i : state.values()) {
        if (query.matches(i)) {
          now.put(i.id(), i);
        }
      }
      for (DiscoveryInstanceId gone : new ArrayList<>(view.keySet())) {
        if (!now.containsKey(gone)) {
          view.remove(gone);
          pending.add(new DiscoveryEvent.Removed(gone));
        }
      }
      for (DiscoveryInstance i : now.values()) {
        DiscoveryInstance old = view.put(i.id(), i);
        if (old == null || !Arrays.equals(old.toJson(), i.toJson())) {
          pending.add(new DiscoveryEvent.Added(i));
        }
      }
    }

    @Override
    public DiscoveryEvent next() throws InterruptedException {
      DiscoveryEvent e;
      while ((e = poll(Duration.ofSeconds(1))) == null) {
        if (over()) {
          return null;
        }
      }
      return e;
    }

    @Override
    public DiscoveryEvent poll(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      lock.lockInterruptibly();
      try {
        if (seen < 0) {
          beforeFirst.run();
        }
        while (true) {
          if (over()) {
            return null;
          }
          catchUp();
          DiscoveryEvent e = pending.poll();
          if (e != null) {
            return e;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      watchClosed = true;
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
