package dev.dynamo4j.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.wire.TcpAck;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  @Test
  void admitsUpToPoolPlusQueueThenAnswersOverloaded() throws Exception {
    RouteTable t = new RouteTable(1, 1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    t.register("k", (payload, headers) -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(t.accept("k", Map.of(), new byte[0])).isEqualTo(TcpAck.OK);
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(t.accept("k", Map.of(), new byte[0])).isEqualTo(TcpAck.OK); // queued
    TcpAck third = t.accept("k", Map.of(), new byte[0]);
    assertThat(third.text()).isEqualTo("Server overloaded: worker at capacity");
    assertThat(third.rejection().type()).isEqualTo(dev.dynamo4j.error.ErrorType.WorkerOverloaded);
    assertThat(t.accept("nope", Map.of(), new byte[0]).text()).isEqualTo("Server unavailable: unknown endpoint nope");
    release.countDown();
    assertThat(t.unregister("k", Duration.ofSeconds(5))).isZero();
    assertThat(t.accept("k", Map.of(), new byte[0]).text()).startsWith("Server unavailable:");
  }

  @Test
  void unregisterGivesUpAfterTheDrainTimeoutAndReportsWhatIsLeft() throws Exception {
    RouteTable t = new RouteTable(4, 0);
    CountDownLatch release = new CountDownLatch(1);
    t.register("k", (payload, headers) -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.accept("k", Map.of(), new byte[0]);
    assertThat(t.unregister("k", Duration.ofMillis(50))).isEqualTo(1);
    release.countDown();
    assertThatThrownBy(() -> {
      t.register("x", (p, h) -> {});
      t.register("x", (p, h) -> {});
    }).hasMessageContaining("already registered");
  }
}
