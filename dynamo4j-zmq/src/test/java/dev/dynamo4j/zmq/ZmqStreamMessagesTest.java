package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.InProcessResponsePlane;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The ZMQ response path's messages: heads, batches, and what a worker says to a peer that sends nonsense. */
@Timeout(60)
class ZmqStreamMessagesTest {
  @Test
  void aHeadIsTheKindAndTheSubjectsSixteenBytes() {
    UUID id = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    byte[] head = ZmqResponsePlane.head(ZmqResponsePlane.FRAME, id);
    assertThat(head).containsExactly(2, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0xbb,
        (byte) 0xcc, (byte) 0xdd, (byte) 0xee, (byte) 0xff);
    assertThat(ZmqResponsePlane.isStreamHead(head)).isTrue();
    assertThat(ZmqResponsePlane.isStreamHead("12".getBytes(StandardCharsets.US_ASCII))).as("a request id").isFalse();
    assertThat(ZmqResponsePlane.isStreamHead(new byte[17])).as("kind 0").isFalse();
  }

  @Test
  void aBatchRoundTripsAndItsBytesAreHeadLengthBody() {
    UUID a = new UUID(1, 2);
    List<byte[][]> in = List.of(new byte[][] {ZmqResponsePlane.head(ZmqResponsePlane.OPEN, a), new byte[] {0, 0, 0, 0, 0, 1, 0, 0}},
        new byte[][] {ZmqResponsePlane.head(ZmqResponsePlane.FRAME, a), "xyz".getBytes(StandardCharsets.US_ASCII)},
        new byte[][] {ZmqResponsePlane.head(ZmqResponsePlane.END, a), new byte[0]});
    byte[] batch = ZmqResponsePlane.batch(in);
    assertThat(batch).hasSize(3 * (17 + 4) + 8 + 3);
    assertThat(batch[17 + 4 + 8]).isEqualTo(ZmqResponsePlane.FRAME);
    assertThat(new byte[] {batch[17 + 4 + 8 + 17], batch[17 + 4 + 8 + 18], batch[17 + 4 + 8 + 19], batch[17 + 4 + 8 + 20]}).containsExactly(0, 0, 0, 3);
    List<byte[][]> out = new ArrayList<>();
    ZmqResponsePlane.unbatch(batch, (h, b) -> out.add(new byte[][] {h, b}));
    assertThat(out).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(out.get(i)[0]).isEqualTo(in.get(i)[0]);
      assertThat(out.get(i)[1]).isEqualTo(in.get(i)[1]);
    }
  }

  @Test
  void aMalformedBatchIsATypedErrorAndDeliversNothing() {
    byte[] good = ZmqResponsePlane.batch(List.<byte[][]>of(new byte[][] {ZmqResponsePlane.head(ZmqResponsePlane.END, new UUID(0, 1)), new byte[0]}));
    List<byte[]> seen = new ArrayList<>();
    byte[] cut = Arrays.copyOf(good, good.length + 5); // a second message cut short
    assertThatThrownBy(() -> ZmqResponsePlane.unbatch(cut, (h, b) -> seen.add(h))).isInstanceOf(WireFormatException.class).hasMessageContaining("cut short");
    byte[] nested = ZmqResponsePlane.batch(List.<byte[][]>of(new byte[][] {ZmqResponsePlane.BATCH_HEAD, good}));
    assertThatThrownBy(() -> ZmqResponsePlane.unbatch(nested, (h, b) -> seen.add(h))).isInstanceOf(WireFormatException.class).hasMessageContaining("inside a batch");
    byte[] tooLong = good.clone();
    tooLong[20] = 9; // a body of 9 bytes with none left
    assertThatThrownBy(() -> ZmqResponsePlane.unbatch(tooLong, (h, b) -> seen.add(h))).isInstanceOf(WireFormatException.class).hasMessageContaining("9 bytes");
    assertThat(seen).isEmpty();
  }

  @Test
  void arbitraryBytesNeverCrashTheBatchDecoder() {
    Random random = new Random(17);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(120)];
      random.nextBytes(bytes);
      if (bytes.length > 0 && random.nextBoolean()) {
        bytes[0] = (byte) (1 + random.nextInt(6)); // often a plausible kind
      }
      try {
        ZmqResponsePlane.unbatch(bytes, (h, b) -> assertThat(h).hasSize(ZmqResponsePlane.HEAD_SIZE));
      } catch (WireFormatException expected) {
        // the typed error is the only failure allowed
      }
    }
  }

  @Test
  void aPeerSendingStreamMessagesForNoStreamIsResetAndTheRouterKeepsServing() throws Exception {
    try (DistributedRuntime worker = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("zmq").build()).build();
        ZContext ctx = new ZContext()) {
      ServedEndpoint s = worker.namespace("msgs").component("c").endpoint("e").serve(String.class, (Context<String> req) ->
          ResponseStream.of(req.controller(), List.of(req.value())));
      ZMQ.Socket dealer = ZmqRequestTransportTest.connectedDealer(ctx, s.instance().transport().address());
      UUID unknown = UUID.randomUUID();
      byte[][] answer = ZmqRequestTransportTest.exchange(dealer, ZmqResponsePlane.head(ZmqResponsePlane.FRAME, unknown), "not a frame".getBytes(StandardCharsets.UTF_8));
      assertThat(answer).isNotNull();
      assertThat(answer[0]).isEqualTo(ZmqResponsePlane.head(ZmqResponsePlane.RESET, unknown));
      assertThat(new String(answer[1], StandardCharsets.UTF_8)).isEqualTo("no such stream");
      // a batch that does not parse is dropped whole (logged); a request after it is still ACKed
      dealer.send(ZmqResponsePlane.BATCH_HEAD, ZMQ.SNDMORE);
      dealer.send(new byte[] {1, 2, 3}, 0);
      byte[][] ack = ZmqRequestTransportTest.exchange(dealer, "req-9".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(ack[0], StandardCharsets.UTF_8)).isEqualTo("req-9");
      assertThat(ack[1]).isEmpty();
    }
  }

  @Test
  void theTableOfCallersNeverGrowsPastItsCapAndAFullOneRefusesOnlyNewCallersStreams() throws Exception {
    ZmqResponsePlane plane = new ZmqResponsePlane(new InProcessResponsePlane(1 << 20), true, 64 * 1024, 1 << 20, 100);
    List<byte[][]> sent = new ArrayList<>();
    ZmqResponsePlane.Outbox router = (identity, head, body) -> sent.add(new byte[][] {identity, head, body});
    for (int i = 0; i < 1_000; i++) {
      plane.seen(router, ("caller-" + i).getBytes(StandardCharsets.US_ASCII)); // a flood of new routing ids, all recent
    }
    assertThat(plane.peersNoted()).isEqualTo(100);
    String info = "{\"peer\":\"" + HexFormat.of().formatHex("caller-999".getBytes(StandardCharsets.US_ASCII))
        + "\",\"subject\":\"" + UUID.randomUUID() + "\",\"window\":65536,\"stream_type\":\"response\"}";
    assertThatThrownBy(() -> plane.dial(new ConnectionInfo("zmq", info), "r-999"))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect));
    String noted = info.replace(HexFormat.of().formatHex("caller-999".getBytes(StandardCharsets.US_ASCII)),
        HexFormat.of().formatHex("caller-0".getBytes(StandardCharsets.US_ASCII)));
    assertThat(plane.dial(new ConnectionInfo("zmq", noted), "r-0")).as("a caller noted before the flood is answered").isNotNull();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0)[1][0]).isEqualTo(ZmqResponsePlane.OPEN);
    plane.close();
  }
}
