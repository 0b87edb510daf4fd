package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.internal.network.Ingress;
import dev.dynamo4j.internal.network.ResponsePlanes;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.RequestControlMessage;
import dev.dynamo4j.wire.ResponseStreamPrologue;
import dev.dynamo4j.wire.StreamWrapper;
import dev.dynamo4j.wire.TwoPartMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller that cancels: the worker's engine sees the stop promptly, and after it the worker sends
 * neither the final marker nor the sentinel. The caller side is driven frame by frame over the
 * real call-home connection so every frame the worker sends is seen.
 */
@Timeout(30)
class TcpCancellationTest {
  @Test
  void stopReachesTheEngineWithin100msAndNoSentinelFollows() throws Exception {
    try (TcpRequestPlane plane = new TcpRequestPlane(RuntimeConfig.builder().build())) {
      CountDownLatch engineSawStop = new CountDownLatch(1);
      AtomicLong stopSeenAt = new AtomicLong();
      Ingress<Integer, String> ingress =
          new Ingress<>("cancel-test", (Context<Integer> req) -> {
            req.controller().stopped().thenRun(() -> {
              stopSeenAt.set(System.nanoTime());
              engineSawStop.countDown();
            });
            return ResponseStream.generate(req, out -> {
              int i = 0;
              while (out.emit("t" + i++)) {
                Thread.sleep(1); // a fast model: 1000 tokens/s (a flat-out flood is measured in the notes)
              }
            });
          }, Json.MAPPER.constructType(Integer.class), planes(plane), 1 << 20);

      PendingStream pending = plane.responsePlane().expect("req-cancel");
      RequestControlMessage control = new RequestControlMessage("req-cancel", RequestControlMessage.RequestType.SINGLE_IN,
          RequestControlMessage.ResponseType.MANY_OUT, PayloadCodec.JSON, pending.connectionInfo(), Map.of(), null, null);
      byte[] envelope = new TwoPartMessage(control.toJson(), PayloadCodec.JSON.encode(1)).encode();
      Thread worker = Thread.ofVirtual().start(() -> ingress.handle(envelope, Map.of()));

      FrameChannel ch = pending.await(Duration.ofSeconds(10));
      assertThat(ResponseStreamPrologue.fromFrame(ch.receive()).isError()).isFalse();
      for (int i = 0; i < 3; i++) {
        StreamWrapper w = StreamWrapper.decode(PayloadCodec.JSON, ch.receive().data());
        assertThat(w.data().textValue()).isEqualTo("t" + i);
      }
      long sentAt = System.nanoTime();
      ch.send(ControlMessage.STOP.toFrame());
      assertThat(engineSawStop.await(100, TimeUnit.MILLISECONDS)).as("engine sees stop within 100 ms").isTrue();
      System.out.printf("stop reached the engine after %.2f ms%n", (stopSeenAt.get() - sentAt) / 1e6);

      List<String> after = new ArrayList<>();
      TwoPartMessage f;
      while ((f = ch.receive()) != null) {
        if (f.isHeaderOnly()) {
          after.add("control " + new String(f.header()));
        } else {
          StreamWrapper w = StreamWrapper.decode(PayloadCodec.JSON, f.data());
          after.add(w.completeFinal() ? "final" : "item");
        }
      }
      assertThat(after).doesNotContain("final", "control \"sentinel\"");
      worker.join(5000);
      assertThat(worker.isAlive()).isFalse();
    }
  }

  static ResponsePlanes planes(TcpRequestPlane plane) {
    ResponsePlanes p = new ResponsePlanes();
    p.add(plane.responsePlane());
    return p;
  }
}
