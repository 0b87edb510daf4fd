package dev.dynamo4j.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.internal.kv.Liveness;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The stores' shared liveness timer: turns repeat, a failing turn does not end them, cancel does, a slow run is not doubled. */
class LivenessTest {
  @Test
  void turnsRepeatAfterAFailureAndStopOnCancel() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch three = new CountDownLatch(3);
    Liveness.Task t = Liveness.every(() -> Duration.ofMillis(10), () -> {
      runs.incrementAndGet();
      three.countDown();
      throw new IllegalStateException("a backend that is away");
    }, "test-failing");
    assertThat(three.await(10, TimeUnit.SECONDS)).as("three turns despite every one failing").isTrue();
    t.cancel();
    int after = runs.get();
    // a turn already handed to its thread may still finish; no new one starts: wait for the next
    // turn of another task (the timer has moved on) and look again
    CountDownLatch other = new CountDownLatch(2);
    Liveness.Task probe = Liveness.every(() -> Duration.ofMillis(10), other::countDown, "test-probe");
    assertThat(other.await(10, TimeUnit.SECONDS)).isTrue();
    probe.cancel();
    assertThat(runs.get()).isBetween(after, after + 1);
  }

  @Test
  void aRunStillGoingWhenItsNextTurnComesIsNotStartedTwice() throws Exception {
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Liveness.Task t = Liveness.every(() -> Duration.ofMillis(5), () -> {
      int now = concurrent.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      runs.incrementAndGet();
      started.countDown();
      try {
        release.await(); // many turns pass while this one runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        concurrent.decrementAndGet();
      }
    }, "test-slow");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    // let at least ten turns go by: the timer books a turn every 5 ms and skips it while one runs
    CountDownLatch turns = new CountDownLatch(10);
    Liveness.Task clock = Liveness.every(() -> Duration.ofMillis(5), turns::countDown, "test-clock");
    assertThat(turns.await(10, TimeUnit.SECONDS)).isTrue();
    clock.cancel();
    assertThat(runs.get()).isEqualTo(1);
    release.countDown();
    t.cancel();
    assertThat(most.get()).isEqualTo(1);
  }
}
