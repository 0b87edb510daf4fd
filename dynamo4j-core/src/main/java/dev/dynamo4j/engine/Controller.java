package dev.dynamo4j.engine;

import dev.dynamo4j.internal.engine.RequestIds;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cancellation state shared by every stage of one request (Dynamo's {@code Controller}): an
 * id, a state that moves from live to stopped to killed, and linked children.
 *
 * <ul>
 *   <li>{@link #stop()} asks the engine to stop generating; items already produced stay valid and
 *       the caller may drain them.
 *   <li>{@link #kill()} stops and asks not to drain. Kill implies stop: {@link #isStopped()} is
 *       true after a kill.
 *   <li><b>Stop after kill is a no-op</b>: the state stays killed. Dynamo sets the state back to
 *       stopped (so {@code is_killed} turns false); we treat kill as terminal because a consumer
 *       that was told "do not drain" must not be told "drain" again.
 *   <li>Linked children are notified first, in link order, before this controller changes state.
 *       A child linked after a stop or kill receives it at once. Re-entrant calls through a
 *       cycle of links return without recursing.
 * </ul>
 *
 * <p>Thread-safe; every method may be called from any thread and none blocks except the {@code
 * await*} methods. Listeners registered on {@link #stopped()} / {@link #killed()} run on the
 * thread that stops or kills.
 */
public final class Controller {
  private static final int LIVE = 0;
  private static final int STOPPED = 1;
  private static final int KILLED = 2;

  private final String id;
  private final AtomicInteger state = new AtomicInteger(LIVE);
  private volatile List<Controller> children; // created on the first link: most requests have none
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final CompletableFuture<Void> killed = new CompletableFuture<>();
  /** Controllers whose children this thread is notifying (one set per thread, not per controller). */
  private static final ThreadLocal<IdentityHashMap<Controller, Boolean>> NOTIFYING =
      ThreadLocal.withInitial(IdentityHashMap::new);

  /** A controller with a fresh random UUID v4 id ({@link RequestIds#newId()}). */
  public Controller() {
    this(RequestIds.newId());
  }

  public Controller(String id) {
    this.id = Objects.requireNonNull(id, "id");
  }

  public String id() {
    return id;
  }

  public boolean isStopped() {
    return state.get() != LIVE;
  }

  public boolean isKilled() {
    return state.get() == KILLED;
  }

  /** Asks the engine to stop generating. Idempotent; a no-op after {@link #kill()}. */
  public void stop() {
    if (state.get() != LIVE || isNotifying()) {
      return;
    }
    notifyChildren(false);
    if (state.compareAndSet(LIVE, STOPPED)) {
      stopped.complete(null);
    }
  }

  /** Stops and asks not to drain. Idempotent. */
  public void kill() {
    if (state.get() == KILLED || isNotifying()) {
      return;
    }
    notifyChildren(true);
    int prev = state.getAndSet(KILLED);
    if (prev != KILLED) {
      stopped.complete(null);
      killed.complete(null);
    }
  }

  private boolean isNotifying() {
    return children != null && NOTIFYING.get().containsKey(this);
  }

  private void notifyChildren(boolean kill) {
    List<Controller> list = children;
    if (list == null) {
      return;
    }
    IdentityHashMap<Controller, Boolean> active = NOTIFYING.get();
    active.put(this, Boolean.TRUE);
    try {
      for (Controller child : List.copyOf(list)) {
        if (kill) {
          child.kill();
        } else {
          child.stop();
        }
      }
    } finally {
      active.remove(this);
    }
  }

  /**
   * Links a child: stop and kill of this controller reach it first. If this controller is
   * already stopped or killed, the child is stopped or killed now.
   */
  public void linkChild(Controller child) {
    if (child == this) {
      return;
    }
    List<Controller> list = children;
    if (list == null) {
      synchronized (this) {
        if ((list = children) == null) {
          children = list = new CopyOnWriteArrayList<>();
        }
      }
    }
    list.add(child);
    int s = state.get();
    if (s == KILLED) {
      child.kill();
    } else if (s == STOPPED) {
      child.stop();
    }
  }

  /** Completes when this controller is stopped or killed. */
  public CompletionStage<Void> stopped() {
    return stopped.minimalCompletionStage();
  }

  /** Completes when this controller is killed. */
  public CompletionStage<Void> killed() {
    return killed.minimalCompletionStage();
  }

  /** Blocks until stopped or killed. */
  public void awaitStopped() throws InterruptedException {
    try {
      stopped.get();
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  /** Blocks until stopped or killed, or the timeout passes; returns whether it was stopped. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return await(stopped, timeout);
  }

  /** Blocks until killed, or the timeout passes; returns whether it was killed. */
  public boolean awaitKilled(Duration timeout) throws InterruptedException {
    return await(killed, timeout);
  }

  private static boolean await(CompletableFuture<Void> f, Duration timeout) throws InterruptedException {
    try {
      f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return "Controller[" + id + ", " + (isKilled() ? "killed" : isStopped() ? "stopped" : "live") + "]";
  }
}
