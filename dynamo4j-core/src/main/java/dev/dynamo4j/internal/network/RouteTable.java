package dev.dynamo4j.internal.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.Admission;
import dev.dynamo4j.spi.network.RequestHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The worker-side routing every request server shares: exact-key routes, bounded admission into
 * a {@link BoundedWorkerPool}, and the ACK that answers each request. {@link #accept} never
 * blocks, so a transport can call it from its I/O thread and answer requests in arrival order.
 */
public final class RouteTable {
  private final BoundedWorkerPool pool;
  private final Map<String, Route> routes = new ConcurrentHashMap<>();

  public RouteTable(int poolSize, int queueSize) {
    this.pool = new BoundedWorkerPool(poolSize, queueSize);
  }

  private static final class Route {
    final RequestHandler handler;
    final AtomicInteger inFlight = new AtomicInteger();

    Route(RequestHandler handler) {
      this.handler = handler;
    }
  }

  /**
   * Routes {@code key} to {@code handler}.
   *
   * @throws DynamoException {@code InvalidArgument} when the key is taken
   */
  public void register(String key, RequestHandler handler) {
    if (routes.putIfAbsent(key, new Route(handler)) != null) {
      throw new DynamoException(ErrorType.InvalidArgument, "routing key already registered: " + key);
    }
  }

  public boolean isEmpty() {
    return routes.isEmpty();
  }

  /**
   * Admits one request: {@link Admission#ACCEPTED} when it was queued or started, {@code
   * Server overloaded: worker at capacity} when the pool and queue are full, {@code Server
   * unavailable: unknown endpoint <key>} for an unknown key.
   */
  public Admission accept(String key, Map<String, String> headers, byte[] payload) {
    return accept(key, headers, payload, false);
  }

  /**
   * As {@link #accept(String, Map, byte[])}; with {@code onIoThread} (a transport calling from an
   * I/O thread that may run non-blocking work) a handler in direct mode ({@link
   * RequestHandler#direct}) is first tried right here, and only what it hands back runs in the
   * pool. A direct handler that throws has its request dropped (logged by the handler) and still
   * gets the OK ACK: the request was admitted.
   */
  public Admission accept(String key, Map<String, String> headers, byte[] payload, boolean onIoThread) {
    Route route = routes.get(key);
    if (route == null) {
      return Admission.unknownEndpoint(key);
    }
    route.inFlight.incrementAndGet();
    RequestHandler.Continuation direct = null;
    if (onIoThread && route.handler.direct()) {
      try {
        direct = route.handler.handleDirect(payload, headers);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(RouteTable.class).warn("direct handler of {} failed: {}", key, e.toString());
      }
      if (direct == null) {
        done(route);
        return Admission.ACCEPTED;
      }
    }
    Runnable work = direct != null ? direct : () -> route.handler.handle(payload, headers);
    boolean admitted =
        pool.tryExecute(() -> {
          try {
            work.run();
          } finally {
            done(route);
          }
        });
    if (!admitted) {
      done(route);
      if (direct != null) {
        direct.refused();
      }
      route.handler.onRejected();
      return Admission.overloaded();
    }
    return Admission.ACCEPTED;
  }

  private static void done(Route route) {
    if (route.inFlight.decrementAndGet() == 0) {
      synchronized (route) {
        route.notifyAll();
      }
    }
  }

  /**
   * Removes {@code key} (new requests get the unknown-endpoint ACK), then waits up to {@code
   * drain} for its accepted requests; returns how many were still running.
   */
  public int unregister(String key, Duration drain) throws InterruptedException {
    Route route = routes.remove(key);
    if (route == null) {
      return 0;
    }
    long deadline = System.nanoTime() + drain.toNanos();
    synchronized (route) {
      while (route.inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        route.wait(Math.max(1, left / 1_000_000));
      }
    }
    return route.inFlight.get();
  }

  /** Requests running now across all routes. */
  public int running() {
    return pool.running();
  }
}
