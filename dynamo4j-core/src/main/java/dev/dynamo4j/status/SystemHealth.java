package dev.dynamo4j.status;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The health of one process as Dynamo aggregates it ({@code system_health.rs}, spec §5.3):
 * per-endpoint statuses keyed by endpoint <em>name</em>, canary targets, readiness holds and a
 * process-level status.
 *
 * <p>Overall: any readiness hold → not ready; else, when canary targets exist, every target must
 * be ready; else, when canaries are enabled and endpoints are known, every endpoint must be ready;
 * else the process-level status decides. That status starts at {@code
 * DYN_SYSTEM_STARTING_HEALTH_STATUS} (not ready by default) and turns ready when the first
 * endpoint is registered (Dynamo leaves that to the worker's code; dynamo4j does it for {@code
 * serve}), unless {@link #setProcessReady} was called first. Thread-safe; every method is cheap.
 */
public final class SystemHealth {
  private final long startNanos = System.nanoTime();
  private final Map<String, Boolean> endpoints = new ConcurrentHashMap<>();
  private final Set<String> targets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger holds = new AtomicInteger();
  private final boolean canariesEnabled;
  private volatile boolean processReady;
  private volatile boolean processSetByUser;

  public SystemHealth(boolean startingReady, boolean canariesEnabled) {
    this.processReady = startingReady;
    this.canariesEnabled = canariesEnabled;
  }

  /**
   * An endpoint was registered: it is ready unless canaries are enabled and it is a canary target
   * (then it waits for its first canary). The first one makes the process ready.
   */
  public void endpointRegistered(String endpointName) {
    boolean waitsForCanary = canariesEnabled && targets.contains(endpointName);
    endpoints.put(endpointName, !waitsForCanary);
    if (!processSetByUser) {
      processReady = true;
    }
  }

  /** An endpoint stopped serving: it no longer counts. */
  public void endpointRemoved(String endpointName) {
    endpoints.remove(endpointName);
    targets.remove(endpointName);
  }

  /** Marks {@code endpointName} a canary target: with canaries enabled it starts not ready. */
  public void addTarget(String endpointName) {
    targets.add(endpointName);
    if (canariesEnabled) {
      endpoints.put(endpointName, false);
    }
  }

  /** A canary's (or the owner's) verdict on one endpoint. */
  public void setEndpointReady(String endpointName, boolean ready) {
    endpoints.put(endpointName, ready);
  }

  /** Sets the process-level status; from then on registering endpoints no longer changes it. */
  public void setProcessReady(boolean ready) {
    processSetByUser = true;
    processReady = ready;
  }

  /**
   * Keeps the process not ready until the returned hold is closed (an owner that must finish
   * something, a model load, before it takes traffic). Closing twice releases once.
   */
  public AutoCloseable hold() {
    holds.incrementAndGet();
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        holds.decrementAndGet();
      }
    };
  }

  public boolean canariesEnabled() {
    return canariesEnabled;
  }

  /** The overall verdict (see the class comment). */
  public boolean isReady() {
    if (holds.get() > 0) {
      return false;
    }
    if (!targets.isEmpty()) {
      for (String t : targets) {
        if (!Boolean.TRUE.equals(endpoints.get(t))) {
          return false;
        }
      }
      return true;
    }
    if (canariesEnabled && !endpoints.isEmpty()) {
      return endpoints.values().stream().allMatch(Boolean::booleanValue);
    }
    return processReady;
  }

  /** Endpoint name → ready, sorted by name. */
  public Map<String, Boolean> endpoints() {
    return new TreeMap<>(endpoints);
  }

  public Duration uptime() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
