package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded property tests: every wire type round-trips, and no decoder throws anything but {@link
 * WireFormatException} for arbitrary bytes, random garbage or mutations of valid encodings. A
 * failure prints its seed; re-run with that seed to reproduce.
 */
class PropertyTest {
  static final int CASES = 400;
  static final long MAX = 1 << 20;

  static String randomString(Random r, int max) {
    int n = r.nextInt(max + 1);
    StringBuilder sb = new StringBuilder();
    String alphabet = "abcXYZ019-_./%*> éü東京😀\"\\\n\t";
    for (int i = 0; i < n; i++) {
      int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length()))));
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  static byte[] randomBytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  static long randomU64(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> r.nextInt(128);
      case 1 -> r.nextInt(70_000);
      case 2 -> r.nextLong() & EventEnvelope.MAX_JSON_SAFE_ID;
      default -> r.nextLong();
    };
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void everyWireTypeRoundTrips(long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < CASES; i++) {
      TwoPartMessage tp = new TwoPartMessage(randomBytes(r, 64), randomBytes(r, 64));
      assertThat(TwoPartMessage.decode(tp.encode())).isEqualTo(tp);

      Map<String, String> headers = new LinkedHashMap<>();
      for (int h = r.nextInt(3); h > 0; h--) {
        headers.put(randomString(r, 8), randomString(r, 8));
      }
      String path = "p" + randomString(r, 40);
      TcpRequestFrame f = new TcpRequestFrame(path, headers, randomBytes(r, 100));
      assertThat(TcpRequestFrame.decode(f.encode(), MAX)).isEqualTo(f);

      TcpAck ack = new TcpAck(randomBytes(r, 40));
      assertThat(TcpAck.decode(ack.encode(), MAX)).isEqualTo(ack);

      EventEnvelope env = new EventEnvelope(randomU64(r), randomU64(r), randomU64(r), randomString(r, 20), randomBytes(r, 300));
      assertThat(EventEnvelope.decode(env.encode())).isEqualTo(env);

      byte[] payload = randomBytes(r, 50);
      assertThat(EventFrame.decode(EventFrame.encode(payload))).isEqualTo(payload);

      String seg = randomString(r, 20);
      assertThat(SubjectEncoding.decodeSegment(SubjectEncoding.encodeSegment(seg))).isEqualTo(seg);

      RequestControlMessage cm =
          new RequestControlMessage(
              randomString(r, 36),
              r.nextBoolean() ? RequestControlMessage.RequestType.SINGLE_IN : RequestControlMessage.RequestType.MANY_IN,
              r.nextBoolean() ? RequestControlMessage.ResponseType.MANY_OUT : RequestControlMessage.ResponseType.SINGLE_OUT,
              r.nextBoolean() ? PayloadCodec.JSON : PayloadCodec.MSGPACK,
              new ConnectionInfo(randomString(r, 10), randomString(r, 60)),
              headers,
              r.nextBoolean() ? null : randomU64(r),
              r.nextBoolean() ? null : new ConnectionInfo("tcp_server", randomString(r, 20)));
      assertThat(RequestControlMessage.fromJson(cm.toJson())).isEqualTo(cm);

      ErrorType t = ErrorType.values()[r.nextInt(ErrorType.values().length)];
      DynamoError err = new DynamoError(t, null, r.nextBoolean() ? null : randomString(r, 30), null, r.nextBoolean() ? null : DynamoError.of(ErrorType.Disconnected, "c"));
      ResponseStreamPrologue p = new ResponseStreamPrologue(r.nextBoolean() ? null : randomString(r, 20), r.nextBoolean() ? null : err);
      assertThat(ResponseStreamPrologue.fromJson(p.toJson())).isEqualTo(p);

      TransportType tt = r.nextBoolean() ? new TransportType.Tcp(randomString(r, 30)) : new TransportType.NatsTcp(randomString(r, 30));
      Instance inst =
          new Instance(randomString(r, 10), randomString(r, 10), randomString(r, 10), randomU64(r), tt, r.nextBoolean() ? null : "cuda",
              r.nextBoolean() ? null : PayloadCodec.MSGPACK);
      assertThat(Instance.fromJson(inst.toDiscoveryJson())).isEqualTo(inst);
      assertThat(Instance.fromJson(inst.toJson())).isEqualTo(inst);

      for (PayloadCodec c : PayloadCodec.values()) {
        Map<String, Object> item = Map.of("s", randomString(r, 20), "n", randomU64(r) & Long.MAX_VALUE, "l", List.of(1, 2));
        StreamWrapper w = StreamWrapper.decode(c, StreamWrapper.encodeItem(c, item));
        assertThat(w.data().get("s").textValue()).isEqualTo(item.get("s"));
        assertThat(w.data().get("n").longValue()).isEqualTo(item.get("n"));
      }
    }
  }

  /** Every decoder, applied to untrusted bytes. */
  static final Map<String, Consumer<byte[]>> DECODERS = new LinkedHashMap<>();

  static {
    DECODERS.put("TwoPart", b -> TwoPartMessage.decode(b, MAX));
    DECODERS.put("TwoPart.try", b -> TwoPartMessage.tryDecode(ByteBuffer.wrap(b), MAX));
    DECODERS.put("TcpRequestFrame", b -> TcpRequestFrame.decode(b, MAX));
    DECODERS.put("TcpRequestFrame.try", b -> TcpRequestFrame.tryDecode(ByteBuffer.wrap(b), MAX));
    DECODERS.put("TcpAck", b -> TcpAck.decode(b, MAX));
    DECODERS.put("EventEnvelope", EventEnvelope::decode);
    DECODERS.put("EventFrame", EventFrame::decode);
    DECODERS.put("RequestControlMessage", RequestControlMessage::fromJson);
    DECODERS.put("ResponseStreamPrologue", ResponseStreamPrologue::fromJson);
    DECODERS.put("ControlMessage", ControlMessage::fromJson);
    DECODERS.put("CallHomeHandshake", CallHomeHandshake::fromJson);
    DECODERS.put("DynamoError", DynamoErrorJson::fromBytes);
    DECODERS.put("Instance", Instance::fromJson);
    DECODERS.put("ConnectionInfo", ConnectionInfo::fromBytes);
    DECODERS.put("StreamWrapper.json", b -> StreamWrapper.decode(PayloadCodec.JSON, b));
    DECODERS.put("StreamWrapper.msgpack", b -> StreamWrapper.decode(PayloadCodec.MSGPACK, b));
    DECODERS.put("Msgpack.tree", b -> MsgpackTree.read("fuzz", b));
    DECODERS.put("SubjectSegment", b -> SubjectEncoding.decodeSegment(new String(b, StandardCharsets.ISO_8859_1)));
    DECODERS.put("TcpStreamConnectionInfo", b -> TcpStreamConnectionInfo.fromJson(new String(b, StandardCharsets.UTF_8)));
    DECODERS.put("DiscoveryRecord", DiscoveryInstance::fromJson);
    DECODERS.put("Bincode.TestData", b -> Bincode.codec(BincodeTest.TestData.class).decode(b));
    DECODERS.put("Bincode.Tagged", b -> Bincode.codec(BincodeTest.Tagged.class).decode(b));
  }

  /** Valid encodings to mutate, so the fuzzer gets past the first checks. */
  static List<byte[]> seeds() {
    return List.of(
        new TwoPartMessage("h".getBytes(), "d".getBytes()).encode(),
        new TcpRequestFrame("a/b", Map.of("k", "v"), new byte[] {1, 2}).encode(),
        Hex.bytes(EventPlaneVectorsTest.ENVELOPE_HEX),
        EventFrame.encode(Hex.bytes(EventPlaneVectorsTest.ENVELOPE_HEX)),
        "{\"id\":\"r\",\"request_type\":\"single_in\",\"response_type\":\"many_out\",\"payload_codec\":\"msgpack\",\"connection_info\":{\"transport\":\"tcp_server\",\"info\":\"{}\"},\"metadata\":{\"a\":\"b\"},\"frontend_send_ts_ns\":5}".getBytes(),
        "{\"error\":\"x\",\"typed_error\":{\"error_type\":{\"Backend\":\"EngineShutdown\"},\"class\":\"Unavailable\",\"caused_by\":{\"class\":\"Internal\"}}}".getBytes(),
        new Instance("ns", "c", "e", 5, new TransportType.Tcp("h:1/k"), "cpu", PayloadCodec.JSON).toDiscoveryJson(),
        StreamWrapper.encodeItem(PayloadCodec.MSGPACK, Map.of("a", List.of(1, 2.5, "x", true))),
        "\"sentinel\"".getBytes(),
        ("{\"type\":\"Model\",\"namespace\":\"ns\",\"component\":\"c\",\"endpoint\":\"e\",\"instance_id\":5,\"card_json\":{\"display_name\":\"m\"}}").getBytes(),
        ("{\"type\":\"EventChannel\",\"scope\":{\"kind\":\"component\",\"namespace\":\"ns\",\"component\":\"c\"},\"topic\":\"kv-events\","
            + "\"instance_id\":12345,\"transport\":{\"kind\":\"Zmq\",\"config\":{\"endpoint\":\"tcp://10.0.0.1:5555\"}}}").getBytes(),
        Bincode.codec(BincodeTest.TestData.class).encode(new BincodeTest.TestData(7, "name", List.of(1.5, 2.5))),
        Bincode.codec(BincodeTest.Tagged.class).encode(new BincodeTest.Tagged(BincodeTest.Color.GREEN, Map.of("a", 1))));
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void decodersOnlyEverThrowTheirTypedError(long seed) {
    Random r = new Random(seed);
    List<byte[]> seeds = seeds();
    for (int i = 0; i < Integer.getInteger("dynamo4j.fuzz.iterations", 3000); i++) {
      byte[] input;
      if (r.nextInt(3) == 0) {
        input = randomBytes(r, 64);
      } else {
        byte[] s = seeds.get(r.nextInt(seeds.size())).clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && s.length > 0; e++) {
          switch (r.nextInt(3)) {
            case 0 -> s[r.nextInt(s.length)] = (byte) r.nextInt(256);
            case 1 -> s = Arrays.copyOf(s, r.nextInt(s.length + 1));
            default -> {
              byte[] longer = Arrays.copyOf(s, s.length + 1 + r.nextInt(8));
              for (int k = s.length; k < longer.length; k++) {
                longer[k] = (byte) r.nextInt(256);
              }
              s = longer;
            }
          }
        }
        input = s;
      }
      for (Map.Entry<String, Consumer<byte[]>> d : DECODERS.entrySet()) {
        try {
          d.getValue().accept(input);
        } catch (WireFormatException expected) {
          assertThat(expected.getMessage()).isNotBlank();
        } catch (Throwable t) {
          throw new AssertionError(d.getKey() + " threw " + t + " for seed " + seed + " input " + Hex.hex(input), t);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void deeplyNestedInputIsRejectedNotRecursedInto(int kind) {
    Function<Integer, byte[]> make =
        n ->
            switch (kind) {
              case 1 -> { // msgpack fixarray of fixarray ...
                byte[] b = new byte[n];
                Arrays.fill(b, (byte) 0x91);
                yield b;
              }
              case 2 -> "[".repeat(n).getBytes();
              default -> ("{\"a\":".repeat(n)).getBytes();
            };
    byte[] input = make.apply(100_000);
    for (Consumer<byte[]> d : DECODERS.values()) {
      try {
        d.accept(input);
      } catch (WireFormatException expected) {
        // fine
      }
    }
  }
}
