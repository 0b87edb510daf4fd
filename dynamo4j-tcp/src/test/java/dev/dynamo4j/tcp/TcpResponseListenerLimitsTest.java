package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.TcpServerLimits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The caller's response-stream listener has a frame timeout, but a frame is not late while the
 * caller itself has stopped reading (a slow consumer of a call-home stream): the stream survives
 * a pause longer than the timeout.
 */
@Timeout(120)
class TcpResponseListenerLimitsTest {
  @Test
  void aConsumerPausedLongerThanTheFrameTimeoutKeepsItsStream() throws Exception {
    TcpServerLimits strict = new TcpServerLimits(256L * 1024 * 1024, Duration.ofSeconds(1), Duration.ZERO);
    RuntimeConfig base = RuntimeConfig.builder(Map.of("DYN_TCP_RESPONSE_MUX", "false")).discoveryBackend("mem")
        .requestPlane("tcp").tcpServerLimits(strict).build();
    try (DistributedRuntime worker = DistributedRuntime.builder().config(base).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(base).build()) {
      byte[] item = new byte[256 * 1024];
      worker.namespace("paused").component("c").endpoint("big").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.generate(req, out -> {
            for (int i = 0; i < req.value() && out.emit(item); i++) {
              // the same bytes each time
            }
          }));
      Client<Integer, byte[]> client = caller.namespace("paused").component("c").endpoint("big").client(byte[].class);
      client.waitForInstances(Duration.ofSeconds(10));
      int count = 0;
      try (ResponseStream<byte[]> s = client.call(200)) {
        for (byte[] b : s) {
          assertThat(b).hasSize(item.length);
          if (count++ == 0) {
            // the slow consumer's pace: 3 s, while the listener's queue fills and it stops reading mid-frame
            LockSupport.parkNanos(Duration.ofSeconds(3).toNanos());
          }
        }
      }
      assertThat(count).isEqualTo(200);
      assertThat(caller.requestPlane().gauges().get("response_server_frame_timeouts_total")).isZero();
    }
  }
}
