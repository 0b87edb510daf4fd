package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-stream credit windows on one mux connection: a reader that stops holds back only its own stream. */
@Timeout(60)
class TcpMuxFlowControlTest {
  @Test
  void aStreamWhoseReaderStopsDoesNotStallTheOthersOnItsConnection() throws Exception {
    ResponseStreamOptions oneSmallConnection = ResponseStreamOptions.DEFAULTS.withMuxConnections(1, 16 * 1024);
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("mem").requestPlane("tcp").responseStreams(oneSmallConnection).build();
    Map<String, AtomicInteger> emitted = new ConcurrentHashMap<>();
    String payload = "x".repeat(1000);
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      worker.namespace("flow").component("c").endpoint("e").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.generate(req, out -> {
            AtomicInteger n = emitted.computeIfAbsent(req.id(), k -> new AtomicInteger());
            for (int i = 0; i < req.value() && out.emit(payload); i++) {
              n.incrementAndGet();
            }
          }));
      Client<Integer, String> client = caller.namespace("flow").component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));

      Context<Integer> slow = Context.withId(1_000_000, "slow-reader");
      Iterator<String> stuck = client.generate(slow).iterator();
      assertThat(stuck.next()).hasSize(1000); // then this reader stops reading

      for (int round = 0; round < 3; round++) {
        assertThat(client.call(2000).toList()).as("a stream next to the stuck one completes").hasSize(2000);
      }
      assertThat(((TcpResponsePlane) worker.requestPlane().responsePlane()).muxConnections()).isEqualTo(1);
      // The stuck stream's producer is held by its window (16 KiB of ~1 KiB items), not by memory.
      int held = emitted.get("slow-reader").get();
      assertThat(held).isBetween(2, 40);
      slow.kill();
    }
  }
}
