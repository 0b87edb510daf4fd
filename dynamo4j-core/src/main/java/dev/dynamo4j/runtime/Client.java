package dev.dynamo4j.runtime;

import com.fasterxml.jackson.databind.JavaType;
import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.EndpointId;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.Egress;
import dev.dynamo4j.internal.network.Router;
import dev.dynamo4j.network.RouterMode;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Calls an endpoint: watches its instances in discovery, picks one per request and streams the
 * answer. Usable as the next engine of a pipeline.
 *
 * <p>One virtual thread per client follows discovery. Instances are chosen by the client's {@link
 * RouterMode} (round robin by default) among those reachable and not inhibited; an instance that fails with a fault ({@code CannotConnect}, {@code
 * Disconnected}, ...) is inhibited for {@link RuntimeConfig#inhibitedDuration()} (zero disables
 * that). When an instance leaves discovery, requests still waiting for it to call home fail with
 * {@code Disconnected}; established streams drain.
 *
 * @param <Req> the request type (serialised with the worker's codec)
 * @param <Resp> the response item type
 */
public final class Client<Req, Resp> implements AsyncEngine<Context<Req>, ResponseStream<Resp>>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Client.class);

  private final DistributedRuntime runtime;
  private final EndpointId endpoint;
  private final JavaType responseType;
  private final Egress egress;
  private volatile DiscoveryWatch watch;
  private final DiscoveryQuery query;
  private final AtomicLong rewatches = new AtomicLong();
  private final Map<Long, Instance> instances = new ConcurrentHashMap<>();
  /** Immutable views rebuilt on every discovery change, so a request copies and sorts nothing. */
  private volatile List<Instance> sorted = List.of();
  private volatile List<Instance> reachable = List.of();
  private final Map<Long, Long> inhibitedUntil = new ConcurrentHashMap<>();
  private final Router router;
  private final Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<Long, Long> tombstones = new ConcurrentHashMap<>();
  static final Duration TOMBSTONE_TTL = Duration.ofSeconds(5);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread watcher;
  private volatile boolean closed;

  Client(DistributedRuntime runtime, EndpointId endpoint, JavaType responseType, RouterMode mode) {
    this.runtime = runtime;
    this.router = new Router(mode == RouterMode.DIRECT ? RouterMode.ROUND_ROBIN : mode);
    this.endpoint = endpoint;
    this.responseType = responseType;
    this.egress = new Egress(runtime.requestPlane().client(), runtime.requestPlane().responsePlane(), runtime.config().responseStreams());
    this.query = new DiscoveryQuery.Endpoint(endpoint.namespace(), endpoint.component(), endpoint.name());
    this.watch = runtime.discovery().listAndWatch(query);
    this.watcher = Thread.ofVirtual().name("dynamo4j-client-watch-" + endpoint).start(this::follow);
  }

  /** Times the discovery watch ended or failed and was opened again (0 in a healthy process). */
  public long rewatches() {
    return rewatches.get();
  }

  /**
   * Follows the watch; when it ends or fails while the client is open (a store that lost its
   * connection, a file store whose bucket directory went away), the instances known so far are
   * kept (requests go on) and the watch is opened again with back-off (100 ms doubling to 5 s);
   * once open, discovery's current list replaces what was known, so instances that left during
   * the outage are dropped.
   */
  private void follow() {
    long backoffMs = 100;
    try {
      while (!closed) {
        boolean quiet = backoffMs > 100; // already retrying: say it once, not every attempt
        try {
          if (followOnce(watch) > 0) {
            backoffMs = 100;
            quiet = false;
          }
          if (!closed) {
            log.atLevel(quiet ? Level.DEBUG : Level.WARN)
                .log("{}: discovery watch ended; watching again, keeping {} known instance(s)", endpoint, instances.size());
          }
        } catch (RuntimeException ex) {
          log.atLevel(quiet ? Level.DEBUG : Level.WARN)
              .log("{}: discovery watch failed: {}; watching again in {} ms, keeping {} known instance(s)", endpoint, ex.toString(), backoffMs, instances.size());
        }
        if (closed) {
          return;
        }
        Thread.sleep(backoffMs); // back-off before asking discovery again, a timer
        backoffMs = Math.min(backoffMs * 2, 5000);
        try {
          DiscoveryWatch fresh = runtime.discovery().listAndWatch(query);
          watch = fresh;
          reconcile(runtime.discovery().list(query));
          rewatches.incrementAndGet();
        } catch (RuntimeException ex) {
          log.debug("{}: cannot watch discovery yet: {}", endpoint, ex.toString());
          watch = null;
        }
        if (closed && watch != null) {
          watch.close();
        }
      }
    } catch (InterruptedException ie) {
      // closing
    } finally {
      if (closed) {
        instances.clear();
        rebuildSnapshot();
        signal();
      }
    }
  }

  /** Makes the known instances exactly {@code now} (after a watch was opened again). */
  private void reconcile(List<DiscoveryInstance> now) {
    Set<Long> present = new HashSet<>();
    for (DiscoveryInstance d : now) {
      if (d instanceof DiscoveryInstance.Endpoint ep) {
        present.add(ep.instance().instanceId());
        instances.put(ep.instance().instanceId(), ep.instance());
      }
    }
    for (Long id : List.copyOf(instances.keySet())) {
      if (!present.contains(id)) {
        instances.remove(id);
        tombstones.put(id, System.nanoTime());
        egress.cancelPending(id, "Worker removed before the response stream was established");
      }
    }
    rebuildSnapshot();
    signal();
  }

  /** Applies the events of {@code w} until it ends; returns how many there were. */
  private long followOnce(DiscoveryWatch w) throws InterruptedException {
    if (w == null) {
      throw new DynamoException(ErrorType.Unavailable, "no discovery watch");
    }
    long events = 0;
    {
      DiscoveryEvent e;
      while (!closed && (e = w.next()) != null) {
        events++;
        switch (e) {
          case DiscoveryEvent.Added a when a.instance() instanceof DiscoveryInstance.Endpoint ep -> {
            instances.put(ep.instance().instanceId(), ep.instance());
            inhibitedUntil.remove(ep.instance().instanceId());
            tombstones.remove(ep.instance().instanceId());
          }
          case DiscoveryEvent.Removed r when r.id() instanceof DiscoveryInstanceId.Endpoint id -> {
            instances.remove(id.instanceId());
            tombstones.put(id.instanceId(), System.nanoTime());
            egress.cancelPending(id.instanceId(), "Worker removed before the response stream was established");
          }
          default -> {}
        }
        rebuildSnapshot();
        signal();
      }
    }
    return events;
  }

  private void rebuildSnapshot() {
    List<Instance> all = new ArrayList<>(instances.values());
    all.sort(Comparator.comparing(Instance::instanceId, Long::compareUnsigned));
    List<Instance> ok = new ArrayList<>(all.size());
    for (Instance i : all) {
      if (runtime.requestPlane().canReach(i.transport())) {
        ok.add(i); // others are served on a plane this runtime does not speak
      }
    }
    sorted = List.copyOf(all);
    reachable = List.copyOf(ok);
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public EndpointId endpoint() {
    return endpoint;
  }

  /** The instances discovery currently lists, sorted by id (an immutable snapshot). */
  public List<Instance> instances() {
    return sorted;
  }

  /** Instances discovered, reachable on this runtime's request plane, and not inhibited (immutable). */
  public List<Instance> availableInstances() {
    List<Instance> all = reachable;
    if (inhibitedUntil.isEmpty()) {
      return all;
    }
    long now = System.nanoTime();
    List<Instance> out = new ArrayList<>(all.size());
    for (Instance i : all) {
      Long until = inhibitedUntil.get(i.instanceId());
      if (until != null && now - until >= 0) {
        inhibitedUntil.remove(i.instanceId(), until); // expired: back to the allocation-free path
        until = null;
      }
      if (until == null) {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Blocks until at least one instance is listed.
   *
   * @throws DynamoException {@code Unavailable} when none appears within {@code timeout}
   */
  public List<Instance> waitForInstances(Duration timeout) throws InterruptedException {
    try {
      return waitUntil(list -> !list.isEmpty(), timeout);
    } catch (DynamoException e) {
      throw new DynamoException(ErrorType.Unavailable, "no instance of " + endpoint + " appeared within " + timeout.toMillis() + " ms");
    }
  }

  /**
   * Blocks until the listed instances satisfy {@code condition} (checked at once and after every
   * discovery change).
   *
   * @throws DynamoException {@code Unavailable} when they do not within {@code timeout}
   */
  public List<Instance> waitUntil(Predicate<List<Instance>> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!condition.test(instances())) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          throw new DynamoException(ErrorType.Unavailable, "instances of " + endpoint + " did not appear as expected within " + timeout.toMillis() + " ms");
        }
        changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
    return instances();
  }

  /** Sends {@code request} with a fresh id to the next instance. */
  public ResponseStream<Resp> call(Req request) throws InterruptedException {
    return generate(Context.of(request));
  }

  /**
   * Sends the request to the next available instance (round robin) and returns its stream once
   * the worker has accepted it.
   *
   * @throws DynamoException {@code Unavailable} when no instance is available; otherwise as
   *     {@link Egress#generate}
   */
  @Override
  public ResponseStream<Resp> generate(Context<Req> request) throws InterruptedException {
    List<Instance> avail = availableInstances();
    if (avail.isEmpty()) {
      throw new DynamoException(
          ErrorType.Unavailable, instances.isEmpty() ? "no instances of " + endpoint + " found" : "no instance of " + endpoint + " is available (" + instances.size() + " listed: inhibited after faults or on a request plane this runtime does not speak)");
    }
    return send(router.choose(avail, Instance::instanceId, this::inFlight), request);
  }

  /** Requests to {@code instanceId} from this client whose streams have not ended. */
  public int inFlight(long instanceId) {
    AtomicInteger n = inFlight.get(instanceId);
    return n == null ? 0 : n.get();
  }

  public RouterMode routerMode() {
    return router.mode();
  }

  /**
   * Sends a stream of requests ({@code many_in}, for engines served with {@link
   * Endpoint#serveStreaming}): the items of {@code inputs} are sent as they come (a {@link
   * ResponseStream} or any blocking iterable works), and the answer streams back meanwhile.
   * Stopping or killing {@code controller} ends the input with {@code stop} / {@code kill}.
   */
  public ResponseStream<Resp> generateStreaming(Controller controller, Iterable<? extends Req> inputs)
      throws InterruptedException {
    List<Instance> avail = availableInstances();
    if (avail.isEmpty()) {
      throw new DynamoException(ErrorType.Unavailable, "no instances of " + endpoint + " available");
    }
    Instance target = router.choose(avail, Instance::instanceId, this::inFlight);
    AtomicInteger counter = inFlight.computeIfAbsent(target.instanceId(), k -> new AtomicInteger());
    counter.incrementAndGet();
    try {
      return egress.<Req, Resp>generateStreaming(target, controller, inputs, responseType).onTerminate(counter::decrementAndGet);
    } catch (InterruptedException | RuntimeException e) {
      counter.decrementAndGet();
      if (e instanceof DynamoException de && de.isInstanceFault()) {
        reportInstanceDown(target.instanceId());
      }
      throw e;
    }
  }

  /** Sends to one instance by id ({@code direct} routing). */
  public ResponseStream<Resp> direct(Context<Req> request, long instanceId) throws InterruptedException {
    Instance target = instances.get(instanceId);
    Long removedAt = tombstones.get(instanceId);
    if (target == null && removedAt != null && System.nanoTime() - removedAt < TOMBSTONE_TTL.toNanos()) {
      throw new DynamoException(ErrorType.Disconnected, "Worker removed before request could be sent (instance " + Long.toHexString(instanceId) + ")");
    }
    if (target == null) {
      throw new DynamoException(ErrorType.CannotConnect, "instance_id=" + Long.toHexString(instanceId) + " not found for endpoint " + endpoint);
    }
    return send(target, request);
  }

  private ResponseStream<Resp> send(Instance target, Context<Req> request) throws InterruptedException {
    AtomicInteger counter = inFlight.computeIfAbsent(target.instanceId(), k -> new AtomicInteger());
    counter.incrementAndGet();
    ResponseStream<Resp> stream;
    try {
      stream = egress.generate(target, request, responseType);
    } catch (DynamoException e) {
      counter.decrementAndGet();
      if (e.isInstanceFault()) {
        reportInstanceDown(target.instanceId());
      }
      throw e;
    } catch (InterruptedException | RuntimeException e) {
      counter.decrementAndGet();
      throw e;
    }
    return stream.onTerminate(counter::decrementAndGet).mapFailure(e -> {
      if (e.isInstanceFault()) {
        reportInstanceDown(target.instanceId());
      }
    });
  }

  /** Stops routing to an instance until the inhibition period passes or discovery re-adds it. */
  public void reportInstanceDown(long instanceId) {
    Duration d = runtime.config().inhibitedDuration();
    if (!d.isZero()) {
      inhibitedUntil.put(instanceId, System.nanoTime() + d.toNanos());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    DiscoveryWatch w = watch;
    if (w != null) {
      w.close();
    }
    watcher.interrupt();
    runtime.untrack(this);
  }
}
