package dev.dynamo4j.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.EndpointId;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.internal.config.Providers;
import dev.dynamo4j.internal.discovery.Discoveries;
import dev.dynamo4j.internal.network.Ingress;
import dev.dynamo4j.internal.network.ResponsePlanes;
import dev.dynamo4j.internal.status.CanaryChecker;
import dev.dynamo4j.metrics.RuntimeMetrics;
import dev.dynamo4j.spi.config.SystemStatusOptions;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.spi.events.EventTransportProvider;
import dev.dynamo4j.spi.kv.ConnectionListener;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestPlaneProvider;
import dev.dynamo4j.status.SystemHealth;
import dev.dynamo4j.status.SystemStatusServer;
import dev.dynamo4j.wire.PayloadCodec;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's membership in a deployment: its discovery client (and so its instance id), its
 * request plane, and everything it serves and calls. Not a singleton; tests run several in one
 * JVM.
 *
 * <p>{@link #close()} is Dynamo's three-phase graceful shutdown: (1) every served endpoint leaves
 * discovery, so routers stop picking it; (2) each stops taking requests and waits for the ones it
 * accepted, up to {@link RuntimeConfig#gracefulShutdownTimeout()} in total, then kills what is
 * left; (3) clients, transports and discovery are closed (records still owned are removed).
 * {@link #installShutdownHook()} runs the same on SIGINT/SIGTERM.
 *
 * <p>Backends are found with {@link java.util.ServiceLoader}: a {@link DiscoveryProvider} named by {@code
 * DYN_DISCOVERY_BACKEND} and a {@link RequestPlaneProvider} for {@code DYN_REQUEST_PLANE}. A
 * missing module is a clear {@link DynamoException} naming it.
 */
public final class DistributedRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DistributedRuntime.class);

  private final RuntimeConfig config;
  private final Discovery discovery;
  private final RequestPlane requestPlane;
  private final ResponsePlanes responsePlanes = new ResponsePlanes();
  private final List<ServedEndpoint> served = new CopyOnWriteArrayList<>();
  private final List<Client<?, ?>> clients = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Thread shutdownHook;
  private volatile EventTransport eventTransport;
  /** The event payload codec: {@code DYN_EVENT_PLANE_CODEC}, else the event plane's default; set with {@link #eventTransport}. */
  private volatile PayloadCodec eventCodec;

  private final List<InstanceListener> instanceListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong instanceIdChanges = new AtomicLong();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile boolean instanceLost;
  private final RuntimeMetrics metrics;
  private final SystemHealth health;
  private volatile SystemStatusServer statusServer;
  private final CanaryChecker canaries;
  private final List<EventPublisher> publishers = new CopyOnWriteArrayList<>();
  private final List<EventSubscriber> subscribers = new CopyOnWriteArrayList<>();

  private DistributedRuntime(RuntimeConfig config, Discovery discovery, RequestPlane requestPlane) {
    this.config = config;
    this.discovery = discovery;
    this.requestPlane = requestPlane;
    this.metrics = new RuntimeMetrics(this::endpointSamples);
    SystemStatusOptions status = config.systemStatus();
    this.health = new SystemHealth(status.startingReady(), status.canariesEnabled());
    this.canaries = status.canariesEnabled() ? new CanaryChecker(health, status.canaryWait(), status.canaryTimeout()) : null;
    metrics.addSource(out -> out.add(CounterSnapshot.builder()
        .name(RuntimeMetrics.ours("instance_id_changes"))
        .help("Times this runtime moved to a new instance id (discovery lease lost and regained)")
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(instanceIdChanges.get()).build())
        .build()));
    metrics.addEventSources(this::subscribers, this::publishers);
    metrics.addSource(out -> RuntimeMetrics.addFigures(out, "discovery_",
        Labels.of("backend", config.discoveryBackend()), discovery.gauges(), "Discovery store: "));
    metrics.addSource(out -> {
      Labels plane = Labels.of("plane", requestPlane.name());
      RuntimeMetrics.addFigures(out, "request_plane_", plane, requestPlane.gauges(), "Request plane: ");
      RuntimeMetrics.addHistograms(out, "request_plane_", plane, requestPlane.histograms(), "Request plane: ");
    });
    responsePlanes.add(requestPlane.responsePlane());
    discovery.addConnectionListener(new ConnectionListener() {
      @Override
      public void connectionIdChanged(long oldId, long newId) {
        Thread.ofVirtual().name("dynamo4j-reregister").start(() -> moveTo(oldId, newId));
      }

      @Override
      public void connectionLost(long id) {
        instanceLost = true;
        log.error("instance {} lost its discovery registration for good (lease lost, policy shutdown): shutting the runtime down", Long.toHexString(id));
        for (InstanceListener l : instanceListeners) {
          try {
            l.instanceLost(id);
          } catch (RuntimeException e) {
            log.warn("instance listener failed", e);
          }
        }
        Thread.ofVirtual().name("dynamo4j-lost-shutdown").start(DistributedRuntime.this::close);
      }
    });
  }

  /**
   * Told when this runtime's instance id changes or is lost (etcd lease trouble). {@code
   * instanceIdChanged} runs on a virtual thread after every served endpoint has moved; {@code
   * instanceLost} runs on the discovery store's keep-alive thread just before the runtime starts
   * closing itself. A listener that throws is logged and the others are still called.
   */
  public interface InstanceListener {
    /** Every served endpoint now answers, and is registered, as {@code newId}. */
    default void instanceIdChanged(long oldId, long newId) {}

    /** The registration is gone for good; the runtime is shutting itself down. */
    default void instanceLost(long id) {}
  }

  public DistributedRuntime addInstanceListener(InstanceListener l) {
    instanceListeners.add(l);
    return this;
  }

  /** How many times this runtime moved to a new instance id (a metric: 0 in a healthy process). */
  public long instanceIdChanges() {
    return instanceIdChanges.get();
  }

  /** True when the runtime shut itself down because its registration was lost for good. */
  public boolean instanceLost() {
    return instanceLost;
  }

  /** Blocks until {@link #close()} has finished, whoever called it. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /**
   * Discovery moved to a new instance id (the store already re-wrote every record under it with
   * the old contents): each served endpoint is routed and registered under the new id too, then
   * its old record is removed. The old routing key keeps working until the endpoint closes, for
   * callers that still hold the old address.
   */
  private void moveTo(long oldId, long newId) {
    if (closed.get()) {
      return;
    }
    int moved = 0;
    for (ServedEndpoint s : served) {
      try {
        s.moveTo(newId);
        moved++;
      } catch (RuntimeException e) {
        log.error("{}: could not re-register under instance {}: {}", s.instance(), Long.toHexString(newId), e.toString());
      }
    }
    instanceIdChanges.incrementAndGet();
    log.warn("instance {} is now {}: {} endpoint(s) re-registered", Long.toHexString(oldId), Long.toHexString(newId), moved);
    for (InstanceListener l : instanceListeners) {
      try {
        l.instanceIdChanged(oldId, newId);
      } catch (RuntimeException e) {
        log.warn("instance listener failed", e);
      }
    }
  }

  /** A runtime configured from the environment. */
  public static DistributedRuntime fromEnv() {
    return builder().config(RuntimeConfig.fromEnv()).build();
  }

  /**
   * A runtime for one JVM: memory discovery shared by every such runtime in the JVM and the
   * in-process request plane. No sockets, no files.
   */
  public static DistributedRuntime processLocal() {
    return builder()
        .config(
            RuntimeConfig.builder()
                .discoveryBackend("mem")
                .requestPlane(RuntimeConfig.IN_PROCESS)
                .eventPlane(RuntimeConfig.IN_PROCESS)
                .build())
        .build();
  }

  /**
   * The event transport named by {@code DYN_EVENT_PLANE}, created on first use.
   *
   * @throws DynamoException {@code Unavailable} when no module provides it
   */
  public EventTransport eventTransport() {
    EventTransport t = eventTransport;
    if (t == null) {
      synchronized (this) {
        t = eventTransport;
        if (t == null) {
          ensureOpen();
          EventTransportProvider provider = Providers.select(EventTransportProvider.class, "event plane", config.eventPlane(),
              EventTransportProvider::name, EventTransportProvider::isAvailable, EventTransportProvider::priority);
          eventCodec = config.eventPlaneCodec() != null ? config.eventPlaneCodec() : provider.defaultCodec();
          t = provider.create(config, discovery);
          eventTransport = t;
        }
      }
    }
    return t;
  }

  private PayloadCodec eventCodec() {
    eventTransport();
    return eventCodec;
  }

  /**
   * A publisher of {@code topic} in {@code scope}, payloads in the plane's codec. Its counts show
   * in {@link #metrics()} and the status page until it is closed.
   */
  public EventPublisher publisher(EventScope scope, String topic) {
    EventPublisher p = EventPublisher.create(eventTransport(), scope, topic, eventCodec());
    publishers.removeIf(EventPublisher::isClosed);
    publishers.add(p);
    return p;
  }

  /**
   * A subscriber to {@code topic} in exactly {@code scope}. Its counts (received, gaps,
   * duplicates) show in {@link #metrics()} and the status page until it is closed.
   */
  public EventSubscriber subscriber(EventScope scope, String topic) {
    EventSubscriber s = EventSubscriber.create(eventTransport(), scope, topic, eventCodec());
    subscribers.removeIf(EventSubscriber::isClosed);
    subscribers.add(s);
    return s;
  }

  /** The open publishers made by {@link #publisher}. */
  public List<EventPublisher> publishers() {
    return publishers.stream().filter(p -> !p.isClosed()).toList();
  }

  /** The open subscribers made by {@link #subscriber}. */
  public List<EventSubscriber> subscribers() {
    return subscribers.stream().filter(s -> !s.isClosed()).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  public RuntimeConfig config() {
    return config;
  }

  public Discovery discovery() {
    return discovery;
  }

  /** This process's identity: the discovery instance id of everything it registers. */
  public long instanceId() {
    return discovery.instanceId();
  }

  public RequestPlane requestPlane() {
    return requestPlane;
  }

  ResponsePlanes responsePlanes() {
    return responsePlanes;
  }

  /** A namespace; nest with {@link Namespace#namespace(String)}. */
  public Namespace namespace(String name) {
    return new Namespace(this, null, name);
  }

  /** The endpoint named by a path such as {@code ns/comp/ep} or {@code dyn://ns.comp.ep}. */
  public Endpoint endpoint(String path) {
    EndpointId id = EndpointId.parse(path);
    return namespace(id.namespace()).component(id.component()).endpoint(id.name());
  }

  void ensureOpen() {
    if (closed.get()) {
      throw new DynamoException(ErrorType.Unavailable, "the runtime is shut down");
    }
  }

  void track(ServedEndpoint s) {
    served.add(s);
    health.endpointRegistered(s.instance().endpointId().name());
  }

  void untrack(ServedEndpoint s) {
    served.remove(s);
    String name = s.instance().endpointId().name();
    if (served.stream().noneMatch(o -> o.instance().endpointId().name().equals(name))) {
      health.endpointRemoved(name);
    }
  }

  private List<RuntimeMetrics.EndpointSample> endpointSamples() {
    List<RuntimeMetrics.EndpointSample> out = new ArrayList<>(served.size());
    for (ServedEndpoint s : served) {
      Instance i = s.instance();
      out.add(new RuntimeMetrics.EndpointSample(i.namespace(), i.component(), i.endpoint(), i.instanceId(), s.metrics()));
    }
    return out;
  }

  /**
   * This runtime's metrics: Dynamo's {@code dynamo_component_*} families of every served
   * endpoint, the uptime, and dynamo4j's own; register more in {@link
   * dev.dynamo4j.metrics.RuntimeMetrics#registry()}. Served at {@code /metrics} when the system
   * status server runs.
   */
  public RuntimeMetrics metrics() {
    return metrics;
  }

  /** This process's health as {@code /health} and {@code /live} report it. */
  public SystemHealth health() {
    return health;
  }

  /**
   * The port of the system status server, or -1 when it is off ({@code DYN_SYSTEM_PORT} = -1,
   * the default) or could not bind.
   */
  public int systemStatusPort() {
    SystemStatusServer s = statusServer;
    return s == null ? -1 : s.port();
  }

  /** The running status server, or null (see {@link #systemStatusPort()}). */
  public SystemStatusServer statusServer() {
    return statusServer;
  }

  /**
   * Makes {@code endpointName} a canary target when canaries are on and a payload applies (the
   * endpoint's own, else {@code DYN_HEALTH_CHECK_PAYLOAD}); endpoints that take a stream of
   * requests have no canary.
   */
  void startCanary(String endpointName, Ingress<?, ?> ingress, JsonNode own) {
    JsonNode payload = own != null ? own : config.systemStatus().canaryPayload();
    if (canaries == null || payload == null || ingress.takesStream()) {
      return;
    }
    health.addTarget(endpointName);
    canaries.watch(endpointName, ingress, payload);
  }

  /** The endpoints this runtime serves now. */
  public List<ServedEndpoint> servedEndpoints() {
    return List.copyOf(served);
  }

  private void startStatusServer() {
    if (config.systemPort() < 0) {
      return;
    }
    try {
      statusServer = SystemStatusServer.start(config.systemHost(), config.systemPort(), health, metrics, config.systemStatus());
      byte[] page = SystemStatusServer.resource("status.html");
      statusServer.addRoute("/", ex -> SystemStatusServer.send(ex, 200, "text/html; charset=utf-8", page));
      statusServer.addRoute("/metadata", ex -> {
        Optional<byte[]> md = discovery.metadata();
        if (md.isPresent()) {
          SystemStatusServer.send(ex, 200, "application/json", md.get());
        } else {
          SystemStatusServer.send(ex, 404, "text/plain; charset=utf-8", "Discovery metadata not available".getBytes(StandardCharsets.UTF_8));
        }
      });
      statusServer.addRoute("/status.json", ex -> {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        SystemStatusServer.send(ex, 200, "application/json", StatusReport.json(this));
      });
    } catch (DynamoException e) {
      // Dynamo logs a bind failure and the runtime still starts.
      log.error("system status server not started: {}", e.getMessage());
    }
  }

  void track(Client<?, ?> c) {
    clients.add(c);
  }

  void untrack(Client<?, ?> c) {
    clients.remove(c);
  }

  /** Runs {@link #close()} when the JVM receives SIGINT or SIGTERM. Idempotent. */
  public DistributedRuntime installShutdownHook() {
    if (shutdownHook == null) {
      Thread hook = new Thread(this::close, "dynamo4j-shutdown");
      shutdownHook = hook;
      Runtime.getRuntime().addShutdownHook(hook);
    }
    return this;
  }

  /** Three-phase graceful shutdown; see the class comment. Idempotent, blocks until done. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Thread hook = shutdownHook;
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or will run, and close() is idempotent
      }
    }
    if (canaries != null) {
      canaries.close();
    }
    // Phase 1: leave discovery so routers stop choosing us.
    for (ServedEndpoint s : served) {
      s.leaveDiscovery();
    }
    // Phase 2: stop accepting and drain, under one deadline.
    long deadline = System.nanoTime() + config.gracefulShutdownTimeout().toNanos();
    for (ServedEndpoint s : served) {
      s.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    served.clear();
    // Phase 3: tear down clients, transports, discovery.
    for (Client<?, ?> c : clients) {
      c.close();
    }
    clients.clear();
    if (eventTransport != null) {
      eventTransport.close();
    }
    requestPlane.close();
    SystemStatusServer status = statusServer;
    if (status != null) {
      status.close();
    }
    try {
      discovery.shutdown();
    } catch (RuntimeException e) {
      log.warn("discovery shutdown failed: {}", e.toString());
    }
    terminated.countDown();
  }

  /** Builds a runtime. */
  public static final class Builder {
    private RuntimeConfig config;
    private Discovery discovery;
    private RequestPlane requestPlane;

    private Builder() {}

    public Builder config(RuntimeConfig config) {
      this.config = Objects.requireNonNull(config);
      return this;
    }

    /** Uses this discovery client instead of the configured backend. */
    public Builder discovery(Discovery discovery) {
      this.discovery = discovery;
      return this;
    }

    /** Uses this request plane instead of the configured one. */
    public Builder requestPlane(RequestPlane plane) {
      this.requestPlane = plane;
      return this;
    }

    /**
     * @throws DynamoException {@code Unavailable} when no module provides the configured discovery
     *     backend or request plane, or when connecting to it fails
     */
    public DistributedRuntime build() {
      RuntimeConfig cfg = config != null ? config : RuntimeConfig.fromEnv();
      Discovery d = discovery != null ? discovery : loadDiscovery(cfg);
      RequestPlane rp;
      try {
        rp = requestPlane != null ? requestPlane : loadRequestPlane(cfg);
      } catch (RuntimeException e) {
        if (discovery == null) {
          d.shutdown();
        }
        throw e;
      }
      DistributedRuntime rt = new DistributedRuntime(cfg, d, rp);
      rt.startStatusServer();
      return rt;
    }

    private static Discovery loadDiscovery(RuntimeConfig cfg) {
      return Discoveries.create(cfg);
    }

    private static RequestPlane loadRequestPlane(RuntimeConfig cfg) {
      return Providers.select(RequestPlaneProvider.class, "request plane", cfg.requestPlane(),
          RequestPlaneProvider::name, RequestPlaneProvider::isAvailable, RequestPlaneProvider::priority).create(cfg);
    }
  }
}
