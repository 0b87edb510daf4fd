package dev.dynamo4j.internal.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.engine.Annotated;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.internal.network.Ingress;
import dev.dynamo4j.status.SystemHealth;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Canary health checks (Dynamo's {@code health_check.rs}, spec §5.4): one virtual thread per
 * target endpoint waits for a quiet period ({@code DYN_CANARY_WAIT_TIME}); when the endpoint
 * completed requests meanwhile, that progress counts as healthy and the wait starts again (a busy
 * endpoint is judged by progress, not by a canary queued behind its work); otherwise the payload
 * goes through the endpoint's own engine and its first item decides: an item that is not an
 * error → {@code ready}; an error item, no item, a failure or no item within {@code
 * DYN_HEALTH_CHECK_REQUEST_TIMEOUT} → {@code notready}. After the first item the canary is
 * stopped and whatever else it streams is drained on its thread.
 */
public final class CanaryChecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CanaryChecker.class);

  private final SystemHealth health;
  private final Duration wait;
  private final Duration timeout;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  public CanaryChecker(SystemHealth health, Duration wait, Duration timeout) {
    this.health = health;
    this.wait = wait;
    this.timeout = timeout;
  }

  /** Starts checking {@code endpointName} (already added as a target of the health) with {@code payload}. */
  public void watch(String endpointName, Ingress<?, ?> ingress, JsonNode payload) {
    Thread t = Thread.ofVirtual().name("dynamo4j-canary-" + endpointName).start(() -> loop(endpointName, ingress, payload));
    threads.add(t);
  }

  private void loop(String name, Ingress<?, ?> ingress, JsonNode payload) {
    try {
      while (!closed) {
        long before = ingress.completed();
        Thread.sleep(wait); // the quiet period is a timer, not a wait for another party
        if (ingress.completed() != before) {
          health.setEndpointReady(name, true);
          continue;
        }
        boolean ok = check(name, ingress, payload);
        if (!closed) {
          health.setEndpointReady(name, ok);
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /** Sends one canary and returns the verdict; bounded by the request timeout. */
  boolean check(String name, Ingress<?, ?> ingress, JsonNode payload) throws InterruptedException {
    Controller controller = new Controller("health-check-" + UUID.randomUUID());
    CompletableFuture<Boolean> verdict = new CompletableFuture<>();
    Thread.ofVirtual().name("dynamo4j-canary-request-" + name).start(() -> {
      try (ResponseStream<?> stream = ingress.canary(payload, controller)) {
        Iterator<?> items = stream.iterator();
        if (!items.hasNext()) {
          verdict.complete(false);
          return;
        }
        Object first = items.next();
        verdict.complete(!(first instanceof Annotated<?> a && a.isError()));
        controller.stop();
        while (items.hasNext()) {
          items.next();
        }
      } catch (Exception e) {
        verdict.complete(false);
        log.debug("canary of {} failed: {}", name, e.toString());
      }
    });
    try {
      return verdict.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      controller.kill();
      log.warn("canary of {} had no answer within {} ms (DYN_HEALTH_CHECK_REQUEST_TIMEOUT): not ready", name, timeout.toMillis());
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : threads) {
      t.interrupt();
    }
  }
}
