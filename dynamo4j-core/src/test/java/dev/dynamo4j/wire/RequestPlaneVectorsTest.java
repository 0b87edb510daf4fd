package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.ErrorType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vectors of dynamo-transports.md §2.12 and R1. */
class RequestPlaneVectorsTest {
  static final long MAX = 32L * 1024 * 1024;

  @Test
  void requestFrameMatchesTheDerived28Bytes() {
    byte[] b = new TcpRequestFrame("test.endpoint", Map.of(), new byte[] {1, 2, 3, 4, 5}).encode();
    assertThat(Hex.hex(b)).isEqualTo("000d746573742e656e64706f696e7400027b7d000000050102030405");
    assertThat(b).hasSize(28);
  }

  @Test
  void requestFramesRoundTrip() {
    for (TcpRequestFrame f :
        new TcpRequestFrame[] {
          new TcpRequestFrame("test.endpoint", Map.of(), new byte[] {1, 2, 3, 4, 5}),
          new TcpRequestFrame("test", Map.of(), new byte[0]),
          new TcpRequestFrame("тест.端点", Map.of("request-id", "r1"), new byte[] {9}),
          new TcpRequestFrame("big", Map.of(), filled(1024 * 1024, (byte) 42))
        }) {
      assertThat(TcpRequestFrame.decode(f.encode(), MAX)).isEqualTo(f);
    }
  }

  @Test
  void truncatedFrameIsAnErrorAndAPartialFeedNeedsMore() {
    byte[] b = new TcpRequestFrame("test.endpoint", Map.of(), new byte[] {1, 2, 3, 4, 5}).encode();
    byte[] cut = Arrays.copyOf(b, b.length - 2);
    assertThatThrownBy(() -> TcpRequestFrame.decode(cut, MAX)).isInstanceOf(WireFormatException.class);
    ByteBuffer partial = ByteBuffer.wrap(cut);
    assertThat(TcpRequestFrame.tryDecode(partial, MAX)).isNull();
    assertThat(partial.position()).isZero();
    ByteBuffer whole = ByteBuffer.wrap(b);
    assertThat(TcpRequestFrame.tryDecode(whole, MAX)).isNotNull();
    assertThat(whole.hasRemaining()).isFalse();
  }

  @Test
  void encodingOverTheMaximumFails() {
    assertThatThrownBy(() -> new TcpRequestFrame("test", Map.of(), new byte[] {1, 2, 3, 4, 5}).encode(10))
        .isInstanceOf(WireFormatException.class);
  }

  @Test
  void serverAcceptsAnyU16PathLengthAndLimitsTheWholeFrame() {
    // Spec T3: path lengths 0 and over 1024 decode (the path is then an unknown endpoint).
    TcpRequestFrame zeroPath = TcpRequestFrame.decode(Hex.bytes("0000" + "0002" + "7b7d" + "00000001" + "07"), MAX);
    assertThat(zeroPath.path()).isEmpty();
    assertThat(zeroPath.payload()).containsExactly(7);
    String longName = "p".repeat(2000);
    TcpRequestFrame longPath = TcpRequestFrame.decode(new TcpRequestFrame(longName, Map.of(), new byte[] {1}).encode(), MAX);
    assertThat(longPath.path()).isEqualTo(longName);
    TcpRequestFrame maxPath = TcpRequestFrame.decode(new TcpRequestFrame("q".repeat(65535), Map.of(), new byte[0]).encode(), MAX);
    assertThat(maxPath.path()).hasSize(65535);

    // The limit is on the whole frame: 2 + 1 + 2 + 2 + 4 + 100 = 111 bytes; exactly 111 passes.
    byte[] big = new TcpRequestFrame("p", Map.of(), new byte[100]).encode();
    assertThat(big).hasSize(111);
    assertThat(TcpRequestFrame.decode(big, 111).payload()).hasSize(100);
    assertThatThrownBy(() -> TcpRequestFrame.tryDecode(ByteBuffer.wrap(big), 110))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.detail()).isEqualTo("message too large: 111 bytes (max: 110 bytes)"));
    // Known from the 11-byte prefix alone, before any payload arrives.
    assertThatThrownBy(() -> TcpRequestFrame.tryDecode(ByteBuffer.wrap(big, 0, 11), 110)).hasMessageContaining("message too large: 111 bytes");
    // A u32 payload length near its maximum does not overflow the sum.
    byte[] huge = Hex.bytes("0001" + "70" + "0002" + "7b7d" + "ffffffff");
    assertThatThrownBy(() -> TcpRequestFrame.tryDecode(ByteBuffer.wrap(huge), MAX)).hasMessageContaining("message too large: 4294967306 bytes");
    assertThatThrownBy(() -> new TcpRequestFrame("p", Map.of(), new byte[100]).encode(110)).hasMessageContaining("message too large: 111 bytes (max: 110 bytes)");
  }

  @Test
  void serverToleratesEmptyOrMalformedHeadersAndFlagsABadPath() {
    byte[] noHeaders = Hex.bytes("0001" + "61" + "0000" + "00000001" + "07");
    TcpRequestFrame f = TcpRequestFrame.decode(noHeaders, MAX);
    assertThat(f.headers()).isEmpty();
    assertThat(f.payload()).containsExactly(7);
    byte[] badJson = Hex.bytes("0001" + "61" + "0002" + "7b7b" + "00000000");
    assertThat(TcpRequestFrame.decode(badJson, MAX).headers()).isEmpty();
    byte[] badUtf8 = Hex.bytes("0002" + "c328" + "0000" + "00000000");
    assertThat(TcpRequestFrame.decode(badUtf8, MAX).pathValid()).isFalse();
  }

  @Test
  void ackFramesRoundTripAndClassify() {
    assertThat(Hex.hex(TcpAck.OK.encode())).isEqualTo("00000000");
    assertThat(TcpAck.decode(new TcpAck(new byte[] {1, 2, 3, 4, 5}).encode(), MAX).body()).containsExactly(1, 2, 3, 4, 5);
    assertThat(TcpAck.decode(Hex.bytes("00000000"), MAX).body()).isEmpty();
    assertThatThrownBy(() -> TcpAck.decode(Arrays.copyOf(new TcpAck(new byte[] {1, 2, 3, 4, 5}).encode(), 3), MAX))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> new TcpAck(new byte[] {1, 2, 3, 4, 5}).encode(5)).isInstanceOf(WireFormatException.class);
    assertThat(TcpAck.tryDecode(ByteBuffer.wrap(Hex.bytes("000000")), MAX)).isNull();

    assertThat(TcpAck.ofText("Server overloaded: worker at capacity").rejection().type()).isEqualTo(ErrorType.WorkerOverloaded);
    assertThat(TcpAck.ofText("Server unavailable: unknown endpoint x").rejection().type()).isEqualTo(ErrorType.WorkerUnavailable);
    assertThat(TcpAck.ofText("").rejection()).isNull();
    assertThat(TcpAck.ofText("{\"data\":\"chunk\"}").rejection()).isNull();
    assertThat(TcpAck.overloaded().text()).isEqualTo("Server overloaded: worker at capacity");
    assertThat(TcpAck.unknownEndpoint("a/b").text()).isEqualTo("Server unavailable: unknown endpoint a/b");
  }

  @Test
  void twoPartMatchesTheDerived44Bytes() {
    TwoPartMessage m = new TwoPartMessage(utf8("header data"), utf8("body data"));
    assertThat(Hex.hex(m.encode()))
        .isEqualTo("000000000000000b" + "0000000000000009" + "0000000000000000" + "6865616465722064617461" + "626f64792064617461");
  }

  @Test
  void twoPartShapesRoundTrip() {
    for (TwoPartMessage m :
        new TwoPartMessage[] {
          new TwoPartMessage(utf8("header data"), utf8("body data")),
          TwoPartMessage.headerOnly(utf8("header only")),
          TwoPartMessage.dataOnly(utf8("data only")),
          new TwoPartMessage(null, null)
        }) {
      TwoPartMessage back = TwoPartMessage.decode(m.encode());
      assertThat(back).isEqualTo(m);
      assertThat(back.isHeaderOnly()).isEqualTo(m.isHeaderOnly());
      assertThat(back.isDataOnly()).isEqualTo(m.isDataOnly());
    }
  }

  @Test
  void aTwoPartFrameOverTheLimitIsRefusedOnEncodeAndDecode() {
    assertThat(new TwoPartMessage(new byte[100], new byte[200]).encode(1024)).hasSize(324);
    assertThat(new TwoPartMessage(new byte[500], new byte[500]).encode(1024)).hasSize(1024);
    TwoPartMessage over = TwoPartMessage.dataOnly(new byte[1001]);
    assertThatThrownBy(() -> over.encode(1024)).hasMessageContaining("MessageTooLarge(1025, 1024)");
    byte[] encoded = over.encode();
    assertThatThrownBy(() -> TwoPartMessage.decode(encoded, 1024)).hasMessageContaining("MessageTooLarge(1025, 1024)");
  }

  @Test
  void twoPartLengthsWhoseSumDoesNotFitAreTooLargeBeforeAnyPayload() {
    // Spec T7: reported as too large with both numbers, from the 24-byte prefix alone.
    byte[] maxAndOne = Hex.bytes("ffffffffffffffff" + "0000000000000001" + "0000000000000000");
    assertThatThrownBy(() -> TwoPartMessage.tryDecode(ByteBuffer.wrap(maxAndOne), 1024))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("MessageTooLarge(18446744073709551640, 1024)");
    byte[] twoHalves = Hex.bytes("8000000000000000" + "8000000000000000" + "0000000000000000");
    assertThatThrownBy(() -> TwoPartMessage.tryDecode(ByteBuffer.wrap(twoHalves), Long.MAX_VALUE))
        .hasMessageContaining("MessageTooLarge(18446744073709551640, " + Long.MAX_VALUE + ")");
    byte[] nearTop = Hex.bytes("7fffffffffffffff" + "0000000000000000" + "0000000000000000");
    assertThatThrownBy(() -> TwoPartMessage.tryDecode(ByteBuffer.wrap(nearTop), 1 << 20))
        .hasMessageContaining("MessageTooLarge(9223372036854775831, 1048576)");
  }

  @Test
  void twoPartChecksumIsWrittenZeroAndIgnoredOnRead() {
    byte[] b = new TwoPartMessage(utf8("h"), utf8("d")).encode();
    b[23] = 0x55; // a debug-build checksum
    assertThat(TwoPartMessage.decode(b)).isEqualTo(new TwoPartMessage(utf8("h"), utf8("d")));
  }

  @Test
  void twoPartHostileLengthsAreRejectedWithoutAllocation() {
    byte[] huge = Hex.bytes("ffffffffffffffff" + "0000000000000001" + "0000000000000000");
    assertThatThrownBy(() -> TwoPartMessage.decode(huge, 1024)).isInstanceOf(WireFormatException.class);
    byte[] big = Hex.bytes("000000007fffffff" + "0000000000000000" + "0000000000000000");
    assertThatThrownBy(() -> TwoPartMessage.tryDecode(ByteBuffer.wrap(big), Long.MAX_VALUE)).isInstanceOf(WireFormatException.class);
    byte[] claims = Hex.bytes("0000000000100000" + "0000000000000000" + "0000000000000000");
    assertThat(TwoPartMessage.tryDecode(ByteBuffer.wrap(claims), MAX)).isNull();
  }

  @Test
  void controlFramesMatchTheDerivedBytes() {
    assertThat(Hex.hex(ControlMessage.STOP.toFrame().encode()))
        .isEqualTo("0000000000000006" + "0000000000000000" + "0000000000000000" + "2273746f7022");
    assertThat(Hex.hex(ControlMessage.KILL.toFrame().encode())).endsWith("226b696c6c22").startsWith("0000000000000006");
    assertThat(Hex.hex(ControlMessage.SENTINEL.toFrame().encode())).startsWith("000000000000000a").endsWith("2273656e74696e656c22");
    for (ControlMessage c : ControlMessage.values()) {
      assertThat(ControlMessage.fromJson(c.toJson())).isEqualTo(c);
    }
    assertThatThrownBy(() -> ControlMessage.fromJson(utf8("\"pause\""))).isInstanceOf(WireFormatException.class);
  }

  @Test
  void theSuccessPrologueFrameIsDynamosBytes() {
    byte[] frame = ResponseStreamPrologue.OK.toFrame().encode();
    assertThat(Hex.hex(frame)).isEqualTo("000000000000000e" + "0000000000000000" + "0000000000000000" + "7b226572726f72223a6e756c6c7d");
  }

  @Test
  void endOfStreamWrapperInBothCodecs() {
    assertThat(new String(StreamWrapper.encodeFinal(PayloadCodec.JSON), StandardCharsets.UTF_8)).isEqualTo("{\"complete_final\":true}");
    assertThat(Hex.hex(StreamWrapper.encodeFinal(PayloadCodec.MSGPACK))).isEqualTo("81ae636f6d706c6574655f66696e616cc3");
    assertThat(new String(StreamWrapper.encodeItem(PayloadCodec.JSON, "chunk"), StandardCharsets.UTF_8))
        .isEqualTo("{\"data\":\"chunk\",\"complete_final\":false}");
  }

  @Test
  void wrappersRoundTripThroughBothCodecs() {
    for (PayloadCodec c : PayloadCodec.values()) {
      StreamWrapper w = StreamWrapper.decode(c, StreamWrapper.encodeItem(c, Map.of("text", "hi", "n", 3)));
      assertThat(w.completeFinal()).isFalse();
      assertThat(w.data().get("text").textValue()).isEqualTo("hi");
      assertThat(w.data().get("n").intValue()).isEqualTo(3);
      StreamWrapper fin = StreamWrapper.decode(c, StreamWrapper.encodeFinal(c));
      assertThat(fin.completeFinal()).isTrue();
      assertThat(fin.data()).isNull();
    }
  }

  @Test
  void legacyControlMessageWithoutCodecDecodesAsJson() {
    String legacy =
        "{\"id\":\"request-123\",\"request_type\":\"single_in\",\"response_type\":\"many_out\",\"connection_info\":{\"transport\":\"tcp\",\"info\":\"{}\"}}";
    RequestControlMessage m = RequestControlMessage.fromJson(utf8(legacy));
    assertThat(m.payloadCodec()).isEqualTo(PayloadCodec.JSON);
    assertThat(m.metadata()).isEmpty();
    assertThat(m.id()).isEqualTo("request-123");
    String withCodec = legacy.replace("\"request_type\"", "\"payload_codec\":\"msgpack\",\"request_type\"");
    assertThat(RequestControlMessage.fromJson(utf8(withCodec)).payloadCodec()).isEqualTo(PayloadCodec.MSGPACK);
  }

  @Test
  void controlMessageEncodesKeysInOrderWithEmbeddedInfoString() {
    TcpStreamConnectionInfo info =
        new TcpStreamConnectionInfo("10.0.0.1:5000", "5b3a0f2e-0000-4000-8000-000000000001", "req-1", StreamType.RESPONSE);
    RequestControlMessage m =
        new RequestControlMessage(
            "req-1",
            RequestControlMessage.RequestType.SINGLE_IN,
            RequestControlMessage.ResponseType.MANY_OUT,
            PayloadCodec.MSGPACK,
            info.toConnectionInfo(),
            Map.of(),
            null,
            null);
    assertThat(new String(m.toJson(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"id\":\"req-1\",\"request_type\":\"single_in\",\"response_type\":\"many_out\",\"payload_codec\":\"msgpack\","
                + "\"connection_info\":{\"transport\":\"tcp_server\",\"info\":\"{\\\"address\\\":\\\"10.0.0.1:5000\\\",\\\"subject\\\":\\\"5b3a0f2e-0000-4000-8000-000000000001\\\",\\\"context\\\":\\\"req-1\\\",\\\"stream_type\\\":\\\"response\\\"}\"}}");
    RequestControlMessage back = RequestControlMessage.fromJson(m.toJson());
    assertThat(back).isEqualTo(m);
    assertThat(TcpStreamConnectionInfo.fromJson(back.connectionInfo().info())).isEqualTo(info);
  }

  @Test
  void controlMessageOverTheLimitIsRefused() {
    RequestControlMessage m =
        new RequestControlMessage(
            "x".repeat(RequestControlMessage.MAX_BYTES),
            RequestControlMessage.RequestType.SINGLE_IN,
            RequestControlMessage.ResponseType.MANY_OUT,
            PayloadCodec.JSON,
            new ConnectionInfo("tcp_server", "{}"),
            Map.of(),
            null,
            null);
    assertThatThrownBy(m::toJson).hasMessageContaining("request control message too large");
  }

  @Test
  void handshakeRoundTrips() {
    CallHomeHandshake h = new CallHomeHandshake("abc", StreamType.RESPONSE);
    assertThat(new String(h.toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"subject\":\"abc\",\"stream_type\":\"response\"}");
    assertThat(CallHomeHandshake.fromFrame(h.toFrame())).isEqualTo(h);
    assertThatThrownBy(() -> CallHomeHandshake.fromFrame(TwoPartMessage.dataOnly(h.toJson()))).isInstanceOf(WireFormatException.class);
  }

  @Test
  void routingKeysFollowResolutionR1() {
    String key = RoutingKey.instancePath(0x694d9a5e1c2b3a4fL, "dynamo", "backend", "generate");
    assertThat(key).isEqualTo("694d9a5e1c2b3a4f/dynamo/backend/generate").hasSize(40);
    assertThat(Hex.hex(new TcpRequestFrame(key, Map.of(), new byte[0]).encode())).startsWith("0028");
    assertThat(RoutingKey.instancePath(1, "a/b", "c", "d")).isEqualTo("1/a%2Fb/c/d");
    assertThat(RoutingKey.instancePath(1, "a%2Fb", "c", "d")).isEqualTo("1/a%252Fb/c/d");
    assertThat(RoutingKey.instancePath(1, "ns.one", "c*", "d >")).isEqualTo("1/ns.one/c*/d >");
    assertThat(RoutingKey.instancePath(1, "a/b", "c", "d"))
        .isNotEqualTo(RoutingKey.instancePath(1, "a", "b/c", "d"))
        .isNotEqualTo(RoutingKey.instancePath(1, "a%2Fb", "c", "d"));
    assertThat(RoutingKey.splitAddress("tcp://10.0.0.5:41234/694d9a5e1c2b3a4f/dynamo/backend/generate"))
        .containsExactly("10.0.0.5:41234", "694d9a5e1c2b3a4f/dynamo/backend/generate");
    assertThat(RoutingKey.splitAddress("[::1]:9/generate")).containsExactly("[::1]:9", "generate");
  }

  @Test
  void slugifyLowersCaseMapsEveryOtherCharacterToUnderscoreAndTrimsLeadingUnderscores() {
    assertThat(Slug.slugify("Dynamo_Backend")).isEqualTo("dynamo_backend");
    assertThat(Slug.slugify("ns.one_worker/x")).isEqualTo("ns_one_worker_x");
    assertThat(Slug.slugify("__Lead")).isEqualTo("lead");
    assertThat(Slug.slugify("a-b_c9")).isEqualTo("a-b_c9");
    assertThat(Slug.slugify("héllo")).isEqualTo("h_llo");
    assertThat(Slug.isValid("a-b_c9")).isTrue();
    assertThat(Slug.isValid("A")).isFalse();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] filled(int n, byte v) {
    byte[] b = new byte[n];
    Arrays.fill(b, v);
    return b;
  }
}
