package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Vectors of dynamo-transports.md §1.9 (and R2). */
class EventPlaneVectorsTest {
  static final String ENVELOPE_HEX =
      "85ac7075626c69736865725f6964cd3039a873657175656e636501ac7075626c69736865645f6174cf0000018bcfe56800a5746f706963aa746573742d746f706963a77061796c6f6164c40c74657374207061796c6f6164";

  static EventEnvelope sample() {
    return new EventEnvelope(12345, 1, 1700000000000L, "test-topic", "test payload".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void envelopeEncodesToTheDerived88Bytes() {
    byte[] b = sample().encode();
    assertThat(b).hasSize(88);
    assertThat(Hex.hex(b)).isEqualTo(ENVELOPE_HEX);
  }

  @Test
  void envelopeDecodesFromTheDerivedBytes() {
    assertThat(EventEnvelope.decode(Hex.bytes(ENVELOPE_HEX))).isEqualTo(sample());
  }

  @Test
  void envelopeDecodingIgnoresKeyOrderAndUnknownKeys() {
    // topic first (the older traits.rs order) plus published_at_ns from a branch variant
    String hex =
        "86" + "a5746f706963aa746573742d746f706963"
            + "af7075626c69736865645f61745f6e73cf0000000000000001"
            + "ac7075626c69736865725f6964cd3039"
            + "a873657175656e636501"
            + "ac7075626c69736865645f6174cf0000018bcfe56800"
            + "a77061796c6f6164c40c74657374207061796c6f6164";
    assertThat(EventEnvelope.decode(Hex.bytes(hex))).isEqualTo(sample());
  }

  /** The sample in rmp_serde's compact form: a fixarray of the five fields in order (spec T6). */
  static final String ENVELOPE_ARRAY_HEX =
      "95" + "cd3039" + "01" + "cf0000018bcfe56800" + "aa746573742d746f706963" + "c40c74657374207061796c6f6164";

  @Test
  void envelopeDecodesFromTheCompactArrayFormToo() {
    assertThat(EventEnvelope.decode(Hex.bytes(ENVELOPE_ARRAY_HEX))).isEqualTo(sample());
    assertThat(EventEnvelope.decodeFrame(EventFrame.encode(Hex.bytes(ENVELOPE_ARRAY_HEX)), "test-topic")).isEqualTo(sample());
    // array16 of the same five, and a sixth element (a later field) skipped
    assertThat(EventEnvelope.decode(Hex.bytes("dc0005" + ENVELOPE_ARRAY_HEX.substring(2)))).isEqualTo(sample());
    assertThat(EventEnvelope.decode(Hex.bytes("96" + ENVELOPE_ARRAY_HEX.substring(2) + "cd0102"))).isEqualTo(sample());
    // encoding keeps writing the named map
    assertThat(Hex.hex(sample().encode())).isEqualTo(ENVELOPE_HEX);
  }

  @Test
  void aShortOrMistypedCompactArrayIsATypedError() {
    assertThatThrownBy(() -> EventEnvelope.decode(Hex.bytes("94" + "cd3039" + "01" + "cf0000018bcfe56800" + "aa746573742d746f706963")))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("missing field 'payload'");
    assertThatThrownBy(() -> EventEnvelope.decode(Hex.bytes("95" + "a178" + "01" + "01" + "a174" + "c400")))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("publisher_id");
    assertThatThrownBy(() -> EventEnvelope.decode(Hex.bytes("9f01")))
        .isInstanceOf(WireFormatException.class);
  }

  @Test
  void eventFrameHeaderOfTheSampleEnvelope() {
    byte[] frame = EventFrame.encode(sample().encode());
    assertThat(Hex.hex(frame).substring(0, 10)).isEqualTo("0100000058");
    assertThat(EventFrame.decode(frame)).isEqualTo(sample().encode());
  }

  @Test
  void frameOfLength1024HasA5ByteHeaderAndEmptyPayloadEncodesTo5Bytes() {
    assertThat(EventFrame.header(1024)).containsExactly(1, 0, 0, 4, 0);
    assertThat(EventFrame.encode(new byte[0])).hasSize(5);
    assertThat(EventFrame.decode(EventFrame.encode(new byte[0]))).isEmpty();
  }

  @Test
  void frameErrorsUseDynamosNames() {
    assertThatThrownBy(() -> EventFrame.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("IncompleteHeader(3)")
        .hasMessageContaining("expected 5 bytes, got 3 bytes");
    byte[] claims1000 = new byte[10];
    System.arraycopy(EventFrame.header(1000), 0, claims1000, 0, 5);
    assertThatThrownBy(() -> EventFrame.decode(claims1000)).hasMessageContaining("IncompletePayload{expected: 1000, available: 5}");
    assertThatThrownBy(() -> EventFrame.decode(new byte[] {99, 0, 0, 0, 0})).hasMessageContaining("UnsupportedVersion(99)");
  }

  @Test
  void bytesBeyondTheDeclaredPayloadAreIgnored() {
    byte[] f = EventFrame.encode(new byte[] {7, 8});
    byte[] longer = Arrays.copyOf(f, f.length + 3);
    assertThat(EventFrame.decode(longer)).containsExactly(7, 8);
  }

  @Test
  void subjectPrefixesEncodeEveryReservedByte() {
    String ns = "namespace." + SubjectEncoding.encodeSegment("ns.one");
    assertThat(ns).isEqualTo("namespace.ns%2Eone");
    String comp = ns + ".component." + SubjectEncoding.encodeSegment("worker/*");
    assertThat(comp).isEqualTo("namespace.ns%2Eone.component.worker%2F%2A");
    String ep = comp + ".endpoint." + SubjectEncoding.encodeSegment("generate.>");
    assertThat(ep).isEqualTo("namespace.ns%2Eone.component.worker%2F%2A.endpoint.generate%2E%3E");
    assertThat(SubjectEncoding.encodeSegment("kv.events/*")).isEqualTo("kv%2Eevents%2F%2A");
  }

  @Test
  void segmentsRoundTripAndBadEscapesAreRejected() {
    for (String s : new String[] {"a.b/c*d>e%f", "naïve 東京", "plain-name_1", ""}) {
      String enc = SubjectEncoding.encodeSegment(s);
      assertThat(enc).matches("[A-Za-z0-9_%-]*");
      assertThat(SubjectEncoding.decodeSegment(enc)).isEqualTo(s);
    }
    assertThatThrownBy(() -> SubjectEncoding.decodeSegment("ab%2")).isInstanceOf(WireFormatException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> SubjectEncoding.decodeSegment("ab%zz")).hasMessageContaining("bad hex");
    assertThatThrownBy(() -> SubjectEncoding.decodeSegment("%C3%28")).hasMessageContaining("UTF-8");
  }

  @Test
  void publisherIdsAreMaskedToJsonSafeValues() {
    long[] inputs = {0, 1, -1L /* u64::MAX */, Long.parseUnsignedLong("13584172880116487724"), 6633287539119378L};
    for (long in : inputs) {
      long id = EventEnvelope.maskPublisherId(in);
      assertThat(id).isBetween(0L, EventEnvelope.MAX_JSON_SAFE_ID);
      assertThat((long) (double) id).isEqualTo(id);
    }
    assertThat(EventEnvelope.MAX_JSON_SAFE_ID).isEqualTo(9007199254740991L);
  }

  @Test
  void u64ValuesAboveLongMaxRoundTrip() {
    EventEnvelope e = new EventEnvelope(7, -1L, -2L, "t", new byte[] {1});
    assertThat(EventEnvelope.decode(e.encode())).isEqualTo(e);
  }

  @Test
  void malformedEnvelopesAreTypedErrors() {
    assertThatThrownBy(() -> EventEnvelope.decode(new byte[] {(byte) 0xc1})).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> EventEnvelope.decode(new byte[] {(byte) 0x80}))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("publisher_id");
    // bin32 claiming 4 GiB: rejected before any allocation
    assertThatThrownBy(() -> EventEnvelope.decode(Hex.bytes("81a77061796c6f6164c6ffffffff")))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("remain");
  }
}
