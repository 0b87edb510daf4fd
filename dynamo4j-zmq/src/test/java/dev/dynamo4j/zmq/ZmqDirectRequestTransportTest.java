package dev.dynamo4j.zmq;

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
 * Direct mode ({@link Endpoint#direct}) on the ZMQ plane (responses on the TCP path): every
 * endpoint of the shared suite served on the ROUTER's thread where it can be, engines there once
 * the multiplexed response connection is up, and a direct stream far ahead of its caller is held
 * and reset rather than parking the ROUTER's thread on the caller's credit.
 */
class ZmqDirectRequestTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder()
        .config(tweak.apply(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("zmq")).build())
        .build();
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
  void theFirstRequestOpensTheMuxOnAVirtualThreadAndLaterOnesRunOnTheRoutersThread() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    servedAt(worker, "where").serve(String.class, (Context<String> req) -> {
      threads.add(Thread.currentThread().isVirtual() ? "virtual" : Thread.currentThread().getName());
      return ResponseStream.of(req.controller(), List.of(req.value()));
    });
    Client<String, String> c = clientOf("where", String.class);
    for (int i = 0; i < 5; i++) {
      assertThat(c.call("x" + i).toList()).containsExactly("x" + i);
    }
    assertThat(threads).hasSize(5).first().isEqualTo("virtual");
    assertThat(threads.subList(1, 5)).allSatisfy(t -> assertThat(t).startsWith("dynamo4j-zmq-router-"));
  }

  @Test
  void aDirectStreamFarAheadOfItsCallerIsResetWithTheReasonAndTheRouterServesOn() throws Exception {
    // had the ROUTER's thread waited for the caller's credit, the engine's emit would never return false
    aDirectStreamFarAheadOfItsCallerIsResetWithTheReasonAndTheWorkerServesOn();
  }
}
