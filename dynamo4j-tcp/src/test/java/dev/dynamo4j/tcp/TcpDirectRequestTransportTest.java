package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.Endpoint;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Direct mode ({@link Endpoint#direct}): every endpoint of the shared suite served on the I/O
 * thread where it can be, and what only direct mode has: where engines run, streams fed by
 * another thread, and the bound on what a direct stream holds for a caller that does not read.
 */
class TcpDirectRequestTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder().config(tweak.apply(TcpRequestTransportTest.config().toBuilder()).build()).build();
  }

  @Override
  protected Endpoint servedAt(DistributedRuntime rt, String endpoint) {
    return super.servedAt(rt, endpoint).direct();
  }

  private <T> Client<String, T> clientOf(String endpoint, Class<T> type) throws InterruptedException {
    Client<String, T> c = caller.namespace(namespace).component("worker").endpoint(endpoint).client(type);
    c.waitForInstances(Duration.ofSeconds(10));
    return c;
  }

  @Test
  void theFirstRequestOpensTheMuxOnAVirtualThreadAndLaterOnesRunOnTheIoThread() throws Exception {
    List<Boolean> virtual = new CopyOnWriteArrayList<>();
    servedAt(worker, "where").serve(String.class, (Context<String> req) -> {
      virtual.add(Thread.currentThread().isVirtual());
      return ResponseStream.of(req.controller(), List.of(req.value()));
    });
    Client<String, String> c = clientOf("where", String.class);
    for (int i = 0; i < 5; i++) {
      assertThat(c.call("x" + i).toList()).containsExactly("x" + i);
    }
    assertThat(virtual).containsExactly(true, false, false, false, false);
  }

  @Test
  void aStreamFedByAnotherThreadIsDrainedOffTheIoThread() throws Exception {
    servedAt(worker, "fed").serve(String.class, (Context<String> req) -> {
      ResponseStream.Channel<String> ch = ResponseStream.channel(req.controller(), 4);
      Thread.ofVirtual().start(() -> {
        try {
          for (int i = 0; i < 50; i++) {
            ch.emit(req.value() + i); // blocks whenever the 4-item buffer is full
          }
          ch.complete();
        } catch (InterruptedException e) {
          ch.fail(e);
        }
      });
      return ch.stream();
    });
    Client<String, String> c = clientOf("fed", String.class);
    c.call("warm").toList(); // opens the mux
    List<String> items = c.call("i").toList();
    assertThat(items).hasSize(50).startsWith("i0").endsWith("i49");
  }

  @Test
  void aDirectStreamFarAheadOfItsCallerIsResetWithTheReason() throws Exception {
    aDirectStreamFarAheadOfItsCallerIsResetWithTheReasonAndTheWorkerServesOn();
  }
}
