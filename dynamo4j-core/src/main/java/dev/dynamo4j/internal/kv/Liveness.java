package dev.dynamo4j.internal.kv;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer of every store's liveness work (re-putting owned records, sweeping those whose
 * owner stopped): a single daemon platform thread, {@code dynamo4j-kv-liveness}, shared by all
 * stores of the process, that only triggers; each run happens on a virtual thread of its own, so
 * a store whose backend is slow delays no other. A run that is still going when its next turn
 * comes is not started twice (the turn is skipped). A run that throws is logged and the schedule
 * goes on.
 */
public final class Liveness {
  private static final Logger log = LoggerFactory.getLogger(Liveness.class);
  private static final ScheduledExecutorService TIMER = timer();

  private Liveness() {}

  private static ScheduledExecutorService timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("dynamo4j-kv-liveness").unstarted(r));
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /** A scheduled piece of liveness work; {@link #cancel} stops it. */
  public interface Task {
    /** No new run starts after this returns; a run in progress finishes. */
    void cancel();
  }

  /**
   * Runs {@code work} every {@code period} (looked at again before each turn, so a store can
   * follow its shortest TTL), first one period from now.
   *
   * @param what names the work in logs and in its threads' names
   */
  public static Task every(Supplier<Duration> period, Runnable work, String what) {
    Turns turns = new Turns(period, work, what);
    turns.schedule();
    return turns;
  }

  private static final class Turns implements Task, Runnable {
    private final Supplier<Duration> period;
    private final Runnable work;
    private final String what;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> next;

    Turns(Supplier<Duration> period, Runnable work, String what) {
      this.period = period;
      this.work = work;
      this.what = what;
    }

    void schedule() {
      if (!cancelled) {
        next = TIMER.schedule(this, Math.max(1, period.get().toMillis()), TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void run() { // on the timer thread: start the run elsewhere, book the next turn
      if (cancelled) {
        return;
      }
      if (running.compareAndSet(false, true)) {
        Thread.ofVirtual().name("dynamo4j-kv-liveness-" + what).start(() -> {
          try {
            if (!cancelled) {
              work.run();
            }
          } catch (RuntimeException e) {
            log.warn("liveness work of {} failed: {}", what, e.toString());
          } finally {
            running.set(false);
          }
        });
      }
      schedule();
    }

    @Override
    public void cancel() {
      cancelled = true;
      ScheduledFuture<?> f = next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
