package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing a plane's event loops: what is queued runs first, and a loop held by a task does not hold the close. */
@Timeout(30)
class TransportsShutdownTest {
  @Test
  void tasksQueuedBeforeTheShutdownRunFirst() {
    EventLoopGroup group = Transports.group(2);
    AtomicBoolean ran = new AtomicBoolean();
    group.next().execute(() -> ran.set(true));
    Transports.shutdown(group, Duration.ofSeconds(2));
    assertThat(ran).isTrue();
    assertThat(group.isTerminated()).isTrue();
  }

  @Test
  void aLoopHeldByABlockedTaskDoesNotHoldTheShutdown() throws Exception {
    EventLoopGroup group = Transports.group(1);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    group.next().execute(() -> {
      held.countDown();
      try {
        release.await(); // a direct-mode engine that waits, as a user might write one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    Transports.shutdown(group, Duration.ofMillis(200)); // returns (the class timeout fails a hang) though the loop is busy
    assertThat(group.isTerminated()).as("the loop still runs the blocked task").isFalse();
    release.countDown();
    assertThat(group.awaitTermination(10, TimeUnit.SECONDS)).as("it ends once the task returns").isTrue();
  }
}
