package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-framed item encoding writes exactly the bytes of encoding the wrapper record. */
class StreamWrapperFastPathTest {
  record Token(int id, String text, double logprob, List<Integer> tops) {}

  @Test
  void scalarItemsDecodeStraightToTheWantedTypeAndAnythingElseIsLeftToTheGeneralDecoder() {
    Random r = new Random(11);
    for (int len : new int[] {0, 1, 31, 32, 255, 256, 65535, 65536, 70000}) {
      String text = "é".repeat(len / 2) + "a".repeat(len % 2);
      byte[] bytes = new byte[len];
      r.nextBytes(bytes);
      assertThat(StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, StreamWrapper.encodeItem(PayloadCodec.MSGPACK, text), String.class)).isEqualTo(text);
      assertThat((byte[]) StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, StreamWrapper.encodeItem(PayloadCodec.MSGPACK, bytes), byte[].class)).isEqualTo(bytes);
      // the general decoder agrees
      assertThat(StreamWrapper.decode(PayloadCodec.MSGPACK, StreamWrapper.encodeItem(PayloadCodec.MSGPACK, text)).data().textValue()).isEqualTo(text);
    }
    byte[] item = StreamWrapper.encodeItem(PayloadCodec.MSGPACK, "abc");
    assertThat(StreamWrapper.decodeScalarItem(PayloadCodec.JSON, item, String.class)).isNull();
    assertThat(StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, item, Integer.class)).isNull();
    assertThat(StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, item, byte[].class)).as("str is not bin").isNull();
    assertThat(StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, StreamWrapper.encodeFinal(PayloadCodec.MSGPACK), String.class)).isNull();
    byte[] extra = Arrays.copyOf(item, item.length + 1); // one byte the declared length does not cover
    System.arraycopy(item, item.length - 16, extra, extra.length - 16, 16);
    extra[item.length - 16] = 0x01;
    assertThat(StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, extra, String.class)).isNull();
    for (int i = 0; i < 3000; i++) { // arbitrary bytes: never an exception, never a wrong-length value
      byte[] junk = Arrays.copyOf(item, 6 + r.nextInt(40));
      for (int j = 6; j < junk.length; j++) {
        junk[j] = (byte) r.nextInt();
      }
      StreamWrapper.decodeScalarItem(PayloadCodec.MSGPACK, junk, r.nextBoolean() ? String.class : byte[].class);
    }
  }

  @Test
  void constantFramesEqualWhatTheGeneralEncodersWrite() {
    for (PayloadCodec c : PayloadCodec.values()) {
      assertThat(StreamWrapper.encodeFinal(c)).isEqualTo(c.encode(new StreamWrapper.Final(true)));
    }
    assertThat(ResponseStreamPrologue.OK.toFrame().header()).isEqualTo(ResponseStreamPrologue.OK.toJson());
    assertThat(ResponseStreamPrologue.fromJson(ResponseStreamPrologue.OK.toJson())).isEqualTo(ResponseStreamPrologue.OK);
    assertThat(ResponseStreamPrologue.fromJson("{ \"error\" : null }".getBytes(StandardCharsets.UTF_8))).isEqualTo(ResponseStreamPrologue.OK);
    for (ControlMessage m : ControlMessage.values()) {
      assertThat(ControlMessage.fromJson(m.toJson())).isEqualTo(m);
      assertThat(ControlMessage.fromJson((" \"" + m.wireName() + "\" ").getBytes(StandardCharsets.UTF_8))).isEqualTo(m);
    }
  }

  @Test
  void everyKindOfItemEncodesToTheWrappersBytesInBothCodecs() {
    Random r = new Random(7);
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("text", "héllo \"quoted\" 🚀");
    nested.put("n", -3);
    nested.put("list", List.of(1, 300, 70000, 5_000_000_000L, 2.5, true));
    byte[] bytes = new byte[300];
    r.nextBytes(bytes);
    List<Object> items = new ArrayList<>(List.of("chunk", "", "x".repeat(4096), 0, -1, 127, 128, 65536, Long.MIN_VALUE, 1.5, true, false, bytes, new byte[0],
        nested, List.of(), Map.of(), new Token(42, "tok", -0.25, List.of(1, 2, 3))));
    for (int len : new int[] {1, 31, 32, 255, 256, 65535, 65536, 70000}) {
      items.add("é".repeat(len / 2) + "a".repeat(len % 2)); // UTF-8 length len
      items.add("a".repeat(len));
      items.add(new byte[len]);
    }
    for (PayloadCodec c : PayloadCodec.values()) {
      for (Object item : items) {
        assertThat(HexFormat.of().formatHex(StreamWrapper.encodeItem(c, item)))
            .as(c + " " + item)
            .isEqualTo(HexFormat.of().formatHex(c.encode(new StreamWrapper.Item(item, false))));
      }
    }
  }
}
