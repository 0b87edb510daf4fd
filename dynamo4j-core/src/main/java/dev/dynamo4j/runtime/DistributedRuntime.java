package dev.dynamo4j.runtime;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.network.RequestPlane;
import dev.dynamo4j.network.RequestPlaneProvider;
import dev.dynamo4j.network.ResponsePlanes;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Backends are found with {@link ServiceLoader}: a {@link DiscoveryProvider} named by {@code
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
  private volatile dev.dynamo4j.events.EventTransport eventTransport;

  private DistributedRuntime(RuntimeConfig config, Discovery discovery, RequestPlane requestPlane) {
    this.config = config;
    this.discovery = discovery;
    this.requestPlane = requestPlane;
    responsePlanes.add(requestPlane.responsePlane());
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
                .requestPlane(RuntimeConfig.RequestPlaneMode.IN_PROCESS)
                .eventPlane(RuntimeConfig.EventPlaneMode.IN_PROCESS)
                .build())
        .build();
  }

  /**
   * The event transport named by {@code DYN_EVENT_PLANE}, created on first use.
   *
   * @throws DynamoException {@code Unavailable} when no module provides it
   */
  public dev.dynamo4j.events.EventTransport eventTransport() {
    dev.dynamo4j.events.EventTransport t = eventTransport;
    if (t == null) {
      synchronized (this) {
        t = eventTransport;
        if (t == null) {
          ensureOpen();
          RuntimeConfig.EventPlaneMode mode = config.eventPlane();
          t = ServiceLoader.load(dev.dynamo4j.events.EventTransportProvider.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(p -> p.mode() == mode && p.isAvailable())
              .max(Comparator.comparingInt(dev.dynamo4j.events.EventTransportProvider::priority))
              .orElseThrow(() -> new DynamoException(
                  ErrorType.Unavailable,
                  "event plane '" + mode.name().toLowerCase(java.util.Locale.ROOT) + "' is not available: put the dynamo4j module that provides it on the class path"))
              .create(config, discovery);
          eventTransport = t;
        }
      }
    }
    return t;
  }

  /** A publisher of {@code topic} in {@code scope}, payloads in the plane's codec. */
  public dev.dynamo4j.events.EventPublisher publisher(dev.dynamo4j.discovery.EventScope scope, String topic) {
    return dev.dynamo4j.events.EventPublisher.create(eventTransport(), scope, topic, config.effectiveEventPlaneCodec());
  }

  /** A subscriber to {@code topic} in exactly {@code scope}. */
  public dev.dynamo4j.events.EventSubscriber subscriber(dev.dynamo4j.discovery.EventScope scope, String topic) {
    return dev.dynamo4j.events.EventSubscriber.create(eventTransport(), scope, topic, config.effectiveEventPlaneCodec());
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
  }

  void untrack(ServedEndpoint s) {
    served.remove(s);
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
    try {
      discovery.shutdown();
    } catch (RuntimeException e) {
      log.warn("discovery shutdown failed: {}", e.toString());
    }
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
      return new DistributedRuntime(cfg, d, rp);
    }

    private static Discovery loadDiscovery(RuntimeConfig cfg) {
      return dev.dynamo4j.discovery.Discoveries.create(cfg);
    }

    private static RequestPlane loadRequestPlane(RuntimeConfig cfg) {
      RuntimeConfig.RequestPlaneMode mode = cfg.requestPlane();
      return ServiceLoader.load(RequestPlaneProvider.class).stream()
          .map(ServiceLoader.Provider::get)
          .filter(p -> p.mode() == mode && p.isAvailable())
          .max(Comparator.comparingInt(RequestPlaneProvider::priority))
          .orElseThrow(
              () -> new DynamoException(
                  ErrorType.Unavailable,
                  "request plane '" + mode.name().toLowerCase(java.util.Locale.ROOT)
                      + "' is not available: put the dynamo4j module that provides it on the class path"))
          .create(cfg);
    }
  }
}
