package dev.dynamo4j.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.RouteTable;
import dev.dynamo4j.spi.network.Admission;
import dev.dynamo4j.spi.network.RequestHandler;
import dev.dynamo4j.wire.TcpAck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    assertThat(t.accept("k", Map.of(), new byte[0])).isEqualTo(Admission.ACCEPTED);
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(t.accept("k", Map.of(), new byte[0])).isEqualTo(Admission.ACCEPTED); // queued
    TcpAck third = t.accept("k", Map.of(), new byte[0]).toTcpAck();
    assertThat(third.text()).isEqualTo("Server overloaded: worker at capacity");
    assertThat(third.rejection().type()).isEqualTo(ErrorType.WorkerOverloaded);
    assertThat(t.accept("nope", Map.of(), new byte[0]).rejection()).isEqualTo("Server unavailable: unknown endpoint nope");
    release.countDown();
    assertThat(t.unregister("k", Duration.ofSeconds(5))).isZero();
    assertThat(t.accept("k", Map.of(), new byte[0]).rejection()).startsWith("Server unavailable:");
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

  /** A direct-mode handler: serves "now" inline, hands everything else to the pool. */
  private static final class DirectHandler implements RequestHandler {
    final List<String> ranInline = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    final CountDownLatch handledOnThread = new CountDownLatch(1);

    @Override
    public void handle(byte[] payload, Map<String, String> headers) {
      handledOnThread.countDown(); // the pool's way, for transports that are not on an I/O thread
    }

    @Override
    public boolean direct() {
      return true;
    }

    @Override
    public Continuation handleDirect(byte[] payload, Map<String, String> headers) {
      String what = new String(payload);
      if (what.equals("now")) {
        ranInline.add(Thread.currentThread().getName());
        return null;
      }
      return new Continuation() {
        @Override
        public void run() {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        @Override
        public void refused() {
          refused.add(what);
        }
      };
    }
  }

  @Test
  void aDirectHandlerRunsInlineOnlyWhenTheTransportSaysItIsOnAnIoThread() throws Exception {
    RouteTable t = new RouteTable(1, 0);
    DirectHandler h = new DirectHandler();
    t.register("k", h);
    assertThat(t.accept("k", Map.of(), "now".getBytes(), true)).isEqualTo(Admission.ACCEPTED);
    assertThat(h.ranInline).containsExactly(Thread.currentThread().getName());
    assertThat(t.unregister("k", Duration.ZERO)).as("nothing left in flight").isZero();

    // Not on an I/O thread (NATS, in-process): the pool runs handle() on a virtual thread.
    DirectHandler h2 = new DirectHandler();
    t.register("k2", h2);
    assertThat(t.accept("k2", Map.of(), "now".getBytes(), false)).isEqualTo(Admission.ACCEPTED);
    assertThat(h2.handledOnThread.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(h2.ranInline).isEmpty();
  }

  @Test
  void aDirectContinuationTheFullPoolRefusesIsToldAndAnsweredOverloaded() throws Exception {
    RouteTable t = new RouteTable(1, 0);
    DirectHandler h = new DirectHandler();
    t.register("k", h);
    assertThat(t.accept("k", Map.of(), "first".getBytes(), true)).isEqualTo(Admission.ACCEPTED); // takes the one slot
    Admission second = t.accept("k", Map.of(), "second".getBytes(), true);
    assertThat(second.rejection()).isEqualTo("Server overloaded: worker at capacity");
    assertThat(h.refused).containsExactly("second");
    h.release.countDown();
    assertThat(t.unregister("k", Duration.ofSeconds(5))).isZero();
  }
}
