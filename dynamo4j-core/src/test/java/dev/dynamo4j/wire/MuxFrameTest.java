package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** dynamo4j's mux frame, handshake and offer: golden bytes (derived by hand), bad input, round trips. */
class MuxFrameTest {
  static final HexFormat HEX = HexFormat.of();
  static final UUID ID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
  static final String ID_HEX = "00112233445566778899aabbccddeeff";
  static final long MAX = 1 << 20;

  static MuxFrame decode(String hex) {
    ByteBuffer b = ByteBuffer.wrap(HEX.parseHex(hex));
    MuxFrame f = MuxFrame.tryDecode(b, MAX);
    assertThat(b.hasRemaining()).isFalse();
    return f;
  }

  @Test
  void framesEncodeToTheDocumentedBytes() {
    assertThat(HEX.formatHex(new MuxFrame(MuxFrame.Kind.OPEN, UUID.fromString("550e8400-e29b-41d4-a716-446655440000"), null).encode()))
        .isEqualTo("01" + "550e8400e29b41d4a716446655440000" + "00000000");
    assertThat(HEX.formatHex(new MuxFrame(MuxFrame.Kind.HEADER, ID, "{\"error\":null}".getBytes(StandardCharsets.UTF_8)).encode()))
        .isEqualTo("02" + ID_HEX + "0000000e" + "7b226572726f72223a6e756c6c7d");
    assertThat(HEX.formatHex(new MuxFrame(MuxFrame.Kind.DATA, ID, new byte[] {1, 2, 3}).encode())).isEqualTo("03" + ID_HEX + "00000003" + "010203");
    assertThat(HEX.formatHex(new MuxFrame(MuxFrame.Kind.END, ID, null).encode())).isEqualTo("04" + ID_HEX + "00000000");
    assertThat(HEX.formatHex(MuxFrame.window(ID, 65536).encode())).isEqualTo("05" + ID_HEX + "00000004" + "00010000");
    assertThat(HEX.formatHex(new MuxFrame(MuxFrame.Kind.RESET, ID, "x".getBytes(StandardCharsets.UTF_8)).encode())).isEqualTo("06" + ID_HEX + "00000001" + "78");
    assertThat(HEX.formatHex(MuxFrame.accept(262144).encode())).isEqualTo("07" + "00".repeat(16) + "00000004" + "00040000");
  }

  @Test
  void theDocumentedBytesDecodeBack() {
    MuxFrame f = decode("02" + ID_HEX + "0000000e" + "7b226572726f72223a6e756c6c7d");
    assertThat(f.kind()).isEqualTo(MuxFrame.Kind.HEADER);
    assertThat(f.stream()).isEqualTo(ID);
    assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"error\":null}");
    assertThat(decode("05" + ID_HEX + "00000004" + "ffffffff").credits()).isEqualTo(0xFFFF_FFFFL);
    assertThat(decode("07" + "00".repeat(16) + "00000004" + "00040000").credits()).isEqualTo(262144);
  }

  @Test
  void anIncompleteFrameWaitsWithoutConsuming() {
    byte[] whole = new MuxFrame(MuxFrame.Kind.DATA, ID, new byte[100]).encode();
    for (int cut : new int[] {0, 1, 20, 21, 120}) {
      ByteBuffer b = ByteBuffer.wrap(whole, 0, cut);
      assertThat(MuxFrame.tryDecode(b, MAX)).isNull();
      assertThat(b.position()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "00" + ID_HEX + "00000000", // kind 0
    "08" + ID_HEX + "00000000", // kind 8
    "ff" + ID_HEX + "00000000", // kind 255
    "05" + ID_HEX + "00000003" + "000001", // WINDOW of 3 bytes
    "05" + ID_HEX + "00000004" + "00000000", // WINDOW of 0
    "01" + ID_HEX + "00000001" + "00", // OPEN with a payload
    "04" + ID_HEX + "00000001" + "00", // END with a payload
    "07" + ID_HEX + "00000004" + "00000001", // ACCEPT on a stream
    "03" + "00000000000000000000000000000000" + "00000000", // DATA on the nil id
    "03" + ID_HEX + "00100001", // over the limit, refused before the payload arrives
  })
  void malformedFramesAreWireFormatErrors(String hex) {
    assertThatThrownBy(() -> MuxFrame.tryDecode(ByteBuffer.wrap(HEX.parseHex(hex)), MAX))
        .isInstanceOf(WireFormatException.class)
        .hasMessageStartingWith("MuxFrame: ");
  }

  @Test
  void anOversizedFrameSaysItsSizeInDynamosWords() {
    assertThatThrownBy(() -> MuxFrame.tryDecode(ByteBuffer.wrap(HEX.parseHex("03" + ID_HEX + "00100001")), MAX))
        .hasMessageContaining("message too large: " + (0x100001 + 21) + " bytes (max: " + (MAX + 21) + " bytes)");
  }

  @Test
  void randomFramesRoundTrip() {
    for (long seed = 1; seed <= 3; seed++) {
      Random r = new Random(seed);
      for (int i = 0; i < 400; i++) {
        MuxFrame.Kind kind = MuxFrame.Kind.values()[r.nextInt(MuxFrame.Kind.values().length)];
        UUID id = kind == MuxFrame.Kind.ACCEPT ? MuxFrame.NIL : new UUID(r.nextLong() | 1, r.nextLong());
        byte[] payload = switch (kind) {
          case OPEN, END -> new byte[0];
          case WINDOW, ACCEPT -> ByteBuffer.allocate(4).putInt(r.nextInt(Integer.MAX_VALUE) + 1).array();
          default -> new byte[r.nextInt(300)];
        };
        r.nextBytes(kind == MuxFrame.Kind.WINDOW || kind == MuxFrame.Kind.ACCEPT ? new byte[0] : payload);
        MuxFrame f = new MuxFrame(kind, id, payload);
        ByteBuffer b = ByteBuffer.wrap(f.encode());
        assertThat(MuxFrame.tryDecode(b, MAX)).isEqualTo(f);
        assertThat(b.hasRemaining()).isFalse();
      }
    }
  }

  @Test
  void arbitraryBytesNeverCrashTheDecoder() {
    for (long seed = 1; seed <= 4; seed++) {
      Random r = new Random(seed);
      for (int i = 0; i < 3000; i++) {
        byte[] bytes = new byte[r.nextInt(64)];
        r.nextBytes(bytes);
        if (bytes.length > 0 && r.nextBoolean()) {
          bytes[0] = (byte) (1 + r.nextInt(7)); // a valid kind, so the later checks run too
        }
        try {
          MuxFrame.tryDecode(ByteBuffer.wrap(bytes), 64);
        } catch (WireFormatException expected) {
          // the only exception a decoder may throw
        }
      }
    }
  }

  @Test
  void theHelloAndTheOfferHaveTheirDocumentedJson() {
    MuxHello hello = new MuxHello(1, "f-1", 262144);
    assertThat(new String(hello.toJson(), StandardCharsets.UTF_8))
        .isEqualTo("{\"kind\":\"dynamo4j_mux\",\"version\":1,\"frontend_id\":\"f-1\",\"window\":262144}");
    assertThat(MuxHello.fromJson(Json.parseObject("t", hello.toJson()))).isEqualTo(hello);
    assertThat(MuxHello.isHello(Json.parseObject("t", "{\"subject\":\"s\",\"stream_type\":\"response\"}".getBytes(StandardCharsets.UTF_8)))).isFalse();
    assertThatThrownBy(() -> MuxHello.fromJson(Json.parseObject("t", "{\"kind\":\"dynamo4j_mux\",\"version\":1,\"frontend_id\":\"f\",\"window\":0}".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(WireFormatException.class);

    TcpStreamConnectionInfo offer = new TcpStreamConnectionInfo("10.0.0.1:5000", ID.toString(), "req-1", StreamType.RESPONSE, "f-1");
    String json = "{\"address\":\"10.0.0.1:5000\",\"subject\":\"" + ID + "\",\"context\":\"req-1\",\"stream_type\":\"response\","
        + "\"dynamo4j_mux\":{\"version\":1,\"frontend_id\":\"f-1\"}}";
    assertThat(offer.toJson()).isEqualTo(json);
    assertThat(TcpStreamConnectionInfo.fromJson(json)).isEqualTo(offer);
  }

  @Test
  void anOfferOfAnotherVersionOrMalformedReadsAsNoOffer() {
    String base = "{\"address\":\"a:1\",\"subject\":\"s\",\"context\":\"c\",\"stream_type\":\"response\",\"dynamo4j_mux\":";
    for (String bad : new String[] {"{\"version\":2,\"frontend_id\":\"f\"}", "{\"version\":1,\"frontend_id\":7}", "\"yes\"", "null"}) {
      assertThat(TcpStreamConnectionInfo.fromJson(base + bad + "}").muxFrontendId()).as(bad).isNull();
    }
  }

  @Test
  void aWorkerReadsStreamInfoOnlyForItsOwnRequest() {
    TcpStreamConnectionInfo offer = new TcpStreamConnectionInfo("10.0.0.1:5000", ID.toString(), "req-1", StreamType.RESPONSE, "f-1");
    assertThat(TcpStreamConnectionInfo.forRequest(offer.toConnectionInfo(), "req-1")).isEqualTo(offer);
    assertThatThrownBy(() -> TcpStreamConnectionInfo.forRequest(offer.toConnectionInfo(), "req-2"))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessage("connection info is for request req-1, not req-2");
    assertThatThrownBy(() -> TcpStreamConnectionInfo.forRequest(new ConnectionInfo(ConnectionInfo.TCP_SERVER, "{not json"), "req-1"))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessageStartingWith("malformed connection info: ");
  }
}
