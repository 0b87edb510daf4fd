package dev.dynamo4j.runtime;

import dev.dynamo4j.discovery.EndpointId;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.internal.network.Ingress;
import dev.dynamo4j.network.IngressMetrics;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.wire.RoutingKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine being served. {@link #close()} shuts it down gracefully: leave discovery, stop
 * accepting, wait for accepted requests up to the runtime's graceful-shutdown timeout, then kill
 * what is left.
 */
public final class ServedEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServedEndpoint.class);

  private final DistributedRuntime runtime;
  private volatile Instance instance;
  private volatile DiscoveryInstance record;
  private volatile String routingKey;
  private final List<String> formerKeys = new CopyOnWriteArrayList<>();
  private final RequestServer server;
  private final Ingress<?, ?> ingress;
  private final AtomicBoolean leftDiscovery = new AtomicBoolean();
  private final AtomicBoolean drained = new AtomicBoolean();

  ServedEndpoint(
      DistributedRuntime runtime, Instance instance, DiscoveryInstance record, String routingKey, RequestServer server, Ingress<?, ?> ingress) {
    this.runtime = runtime;
    this.instance = instance;
    this.record = record;
    this.routingKey = routingKey;
    this.server = server;
    this.ingress = ingress;
  }

  /** The discovery record of this instance. */
  public Instance instance() {
    return instance;
  }

  /** The key the request server routes on. */
  public String routingKey() {
    return routingKey;
  }

  public IngressMetrics metrics() {
    return ingress.metrics();
  }

  /**
   * Serves and registers this endpoint under {@code newId} as well, then removes the old record
   * (see {@link DistributedRuntime}); the old routing key stays routed until {@link #close()}.
   */
  synchronized void moveTo(long newId) {
    if (leftDiscovery.get() || newId == instance.instanceId()) {
      return;
    }
    EndpointId id = instance.endpointId();
    String key = RoutingKey.instancePath(newId, id.namespace(), id.component(), id.name());
    TransportType transport = server.register(key, ingress);
    DiscoveryInstance fresh = runtime.discovery().register(new DiscoverySpec.Endpoint(
        id.namespace(), id.component(), id.name(), transport, null, runtime.config().requestPlaneCodec()));
    DiscoveryInstance old = record;
    formerKeys.add(routingKey);
    record = fresh;
    instance = ((DiscoveryInstance.Endpoint) fresh).instance();
    routingKey = key;
    try {
      runtime.discovery().unregister(old);
    } catch (RuntimeException e) {
      log.warn("{}: could not remove the record of the old instance id: {}", instance, e.toString());
    }
  }

  synchronized void leaveDiscovery() {
    if (leftDiscovery.compareAndSet(false, true)) {
      try {
        runtime.discovery().unregister(record);
      } catch (RuntimeException e) {
        log.warn("{}: could not leave discovery: {}", instance, e.toString());
      }
    }
  }

  void drain(Duration timeout) {
    if (!drained.compareAndSet(false, true)) {
      return;
    }
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (String former : formerKeys) {
        server.unregister(former, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      }
      int left = server.unregister(routingKey, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (left > 0) {
        log.warn("{}: {} requests still running after {} ms; killing them", instance, left, timeout.toMillis());
        ingress.killAll();
      }
    } catch (InterruptedException e) {
      log.warn("{}: interrupted while draining; killing the requests still running", instance);
      Thread.currentThread().interrupt();
      ingress.killAll();
    }
  }

  /** Graceful shutdown of this endpoint alone. Idempotent. */
  @Override
  public void close() {
    leaveDiscovery();
    drain(runtime.config().gracefulShutdownTimeout());
    runtime.untrack(this);
  }
}
