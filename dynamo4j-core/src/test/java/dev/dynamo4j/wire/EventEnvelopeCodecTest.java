package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The hand-written envelope codec against reference models built from msgpack-java (encoding)
 * and the MessagePack tree reader (decoding): byte-identical output, the same verdict on every
 * input, valid or not.
 */
class EventEnvelopeCodecTest {
  /** The encoder this project used before: msgpack-java's packer, smallest integer forms. */
  static byte[] referenceEncode(EventEnvelope e) throws IOException {
    byte[] topic = e.topic().getBytes(StandardCharsets.UTF_8);
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(5);
      p.packString("publisher_id");
      u64(p, e.publisherId());
      p.packString("sequence");
      u64(p, e.sequence());
      p.packString("published_at");
      u64(p, e.publishedAt());
      p.packString("topic");
      p.packRawStringHeader(topic.length);
      p.writePayload(topic);
      p.packString("payload");
      p.packBinaryHeader(e.payload().length);
      p.writePayload(e.payload());
      return p.toByteArray();
    }
  }

  private static void u64(MessageBufferPacker p, long v) throws IOException {
    if (v >= 0) {
      p.packLong(v);
    } else {
      p.packBigInteger(new BigInteger(Long.toUnsignedString(v)));
    }
  }

  /** The decoder this project used before: a tree, then field look-ups. */
  static EventEnvelope referenceDecode(byte[] bytes) throws IOException {
    String f = EventEnvelope.FORMAT;
    JsonNode n = MsgpackTree.read(f, bytes);
    if (!n.isObject()) {
      throw new WireFormatException(f, "expected a map");
    }
    long pid = Json.requireU64(f, n, "publisher_id");
    long seq = Json.requireU64(f, n, "sequence");
    long at = Json.requireU64(f, n, "published_at");
    String topic = Json.requireText(f, n, "topic");
    JsonNode p = n.get("payload");
    byte[] payload;
    if (p == null || p.isNull()) {
      throw new WireFormatException(f, "missing field 'payload'");
    } else if (p.isBinary()) {
      payload = p.binaryValue();
    } else if (p.isTextual()) {
      payload = p.textValue().getBytes(StandardCharsets.UTF_8);
    } else {
      throw new WireFormatException(f, "payload must be bin");
    }
    return new EventEnvelope(pid, seq, at, topic, payload);
  }

  private static final long[] U64_EDGES = {0, 1, 127, 128, 255, 256, 65535, 65536, (1L << 32) - 1, 1L << 32, Long.MAX_VALUE, -1L, Long.MIN_VALUE};
  private static final int[] LEN_EDGES = {0, 1, 31, 32, 255, 256, 65535, 65536};

  private static EventEnvelope random(Random r) {
    long pid = r.nextBoolean() ? U64_EDGES[r.nextInt(U64_EDGES.length)] : r.nextLong();
    long seq = r.nextBoolean() ? U64_EDGES[r.nextInt(U64_EDGES.length)] : r.nextLong() >>> r.nextInt(64);
    long at = r.nextBoolean() ? U64_EDGES[r.nextInt(U64_EDGES.length)] : System.currentTimeMillis();
    int tl = r.nextInt(4) == 0 ? LEN_EDGES[r.nextInt(LEN_EDGES.length)] : r.nextInt(40);
    StringBuilder t = new StringBuilder();
    for (int i = 0; i < tl; i++) {
      t.append(r.nextInt(10) == 0 ? 'é' : (char) ('a' + r.nextInt(26)));
    }
    byte[] payload = new byte[r.nextInt(4) == 0 ? LEN_EDGES[r.nextInt(LEN_EDGES.length)] : r.nextInt(300)];
    r.nextBytes(payload);
    return new EventEnvelope(pid, seq, at, t.toString(), payload);
  }

  @Test
  void encodesByteForByteAsMsgpackJavaAndFramesInOneArray() throws Exception {
    Random r = new Random(12);
    for (int i = 0; i < 3000; i++) {
      EventEnvelope e = random(r);
      byte[] expected = referenceEncode(e);
      assertThat(e.encode()).as("%s", e).isEqualTo(expected);
      assertThat(e.encodeFramed()).isEqualTo(EventFrame.encode(expected));
      assertThat(EventEnvelope.decode(expected)).isEqualTo(e);
      assertThat(EventEnvelope.decodeFrame(e.encodeFramed(), e.topic())).isEqualTo(e);
    }
  }

  @Test
  void theSubscribersOwnTopicIsReusedNotDecodedAgain() {
    EventEnvelope e = new EventEnvelope(1, 2, 3, "kv-events", new byte[] {9});
    String mine = new String("kv-events");
    assertThat(EventEnvelope.decodeFrame(e.encodeFramed(), mine).topic()).isSameAs(mine);
    assertThat(EventEnvelope.decodeFrame(e.encodeFramed(), "other").topic()).isEqualTo("kv-events");
  }

  /** Whatever the bytes, both decoders agree: the same envelope, or both refuse with WireFormatException. */
  private static void sameVerdict(byte[] bytes) {
    EventEnvelope expected;
    try {
      expected = referenceDecode(bytes);
    } catch (WireFormatException | IOException e) {
      assertThatThrownBy(() -> EventEnvelope.decode(bytes)).as(Hex.hex(bytes)).isInstanceOf(WireFormatException.class);
      return;
    }
    assertThat(EventEnvelope.decode(bytes)).as(Hex.hex(bytes)).isEqualTo(expected);
  }

  @Test
  void decodesLikeTheTreeReaderOnMutatedCutAndRandomBytes() throws Exception {
    Random r = new Random(34);
    for (int i = 0; i < 3000; i++) {
      byte[] good = referenceEncode(random(r));
      byte[] mutated = good.clone();
      for (int k = 0; k < 1 + r.nextInt(3); k++) {
        mutated[r.nextInt(mutated.length)] = (byte) r.nextInt(256);
      }
      sameVerdict(mutated);
      sameVerdict(Arrays.copyOf(good, r.nextInt(good.length)));
      byte[] noise = new byte[r.nextInt(64)];
      r.nextBytes(noise);
      sameVerdict(noise);
    }
  }

  @Test
  void keysInAnyOrderExtraKeysNilsAndTextPayloadsAsTheTreeReaderTakesThem() throws Exception {
    List<byte[]> docs = new ArrayList<>();
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(7);
      p.packString("payload").packBinaryHeader(2).writePayload(new byte[] {1, 2});
      p.packString("published_at_ns").packLong(123456789);
      p.packString("topic").packString("t");
      p.packInt(5).packArrayHeader(2).packMapHeader(1).packString("x").packNil().packDouble(1.5);
      p.packString("sequence").packLong(3);
      p.packString("published_at").packLong(9);
      p.packString("publisher_id").packLong(7);
      docs.add(p.toByteArray());
    }
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(5).packString("publisher_id").packLong(1).packString("sequence").packLong(2)
          .packString("published_at").packLong(3).packString("topic").packString("t").packString("payload").packString("text payload");
      docs.add(p.toByteArray());
    }
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(5).packString("publisher_id").packNil().packString("sequence").packLong(2)
          .packString("published_at").packLong(3).packString("topic").packString("t").packString("payload").packBinaryHeader(0);
      docs.add(p.toByteArray());
    }
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(5).packString("publisher_id").packInt(-1).packString("sequence").packLong(2)
          .packString("published_at").packLong(3).packString("topic").packString("t").packString("payload").packBinaryHeader(0);
      docs.add(p.toByteArray());
    }
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(6).packString("publisher_id").packLong(1).packString("sequence").packLong(2)
          .packString("published_at").packLong(3).packString("topic").packString("t").packString("payload").packBinaryHeader(0)
          .packString("topic").packString("last wins");
      docs.add(p.toByteArray());
    }
    for (byte[] d : docs) {
      sameVerdict(d);
    }
    assertThat(EventEnvelope.decode(docs.get(0))).isEqualTo(new EventEnvelope(7, 3, 9, "t", new byte[] {1, 2}));
    assertThat(EventEnvelope.decode(docs.get(4)).topic()).isEqualTo("last wins");
    assertThatThrownBy(() -> EventEnvelope.decode(docs.get(2))).hasMessageContaining("missing field 'publisher_id'");
    assertThatThrownBy(() -> EventEnvelope.decode(docs.get(3))).hasMessageContaining("must be an unsigned 64-bit integer");
  }

  @Test
  void deepNestingInAnUnknownFieldIsRefusedNotAStackOverflow() {
    byte[] deep = new byte[20_000];
    int i = 0;
    deep[i++] = (byte) 0x81;
    deep[i++] = (byte) 0xa1;
    deep[i++] = 'x';
    while (i < deep.length - 1) {
      deep[i++] = (byte) 0x91; // [[[[...
    }
    deep[i] = (byte) 0xc0;
    assertThatThrownBy(() -> EventEnvelope.decode(deep)).isInstanceOf(WireFormatException.class).hasMessageContaining("nesting deeper");
  }
}
