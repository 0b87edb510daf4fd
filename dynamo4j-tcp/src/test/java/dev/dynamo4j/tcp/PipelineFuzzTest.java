package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.wire.MuxFrame;
import dev.dynamo4j.wire.TcpAck;
import dev.dynamo4j.wire.TcpRequestFrame;
import dev.dynamo4j.wire.TwoPartMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing the Netty decoders as a peer drives them (issue 15): valid frames, mutated (bytes
 * replaced, cut, extended) and random input, written in pieces split at random points into the
 * pipeline of an {@link EmbeddedChannel}. A decoder may emit frames (never larger than its limit)
 * or close the channel on the first bad frame; it never throws anything else, never hangs, and
 * never keeps decoding after it closed. {@code -Ddynamo4j.fuzz.iterations=N} (default 3000 per
 * decoder; {@code scripts/fuzz} runs 1,000,000) and {@code -Ddynamo4j.fuzz.seed=S}.
 */
@Timeout(600)
class PipelineFuzzTest {
  static final long MAX = 64 * 1024;
  static final int ITERATIONS = Integer.getInteger("dynamo4j.fuzz.iterations", 3000);
  static final long SEED = Long.getLong("dynamo4j.fuzz.seed", 20261202L);

  record Target(String name, Supplier<ChannelHandler> decoder, List<byte[]> seeds, ToLongFunction<Object> size) {}

  static List<Target> targets() {
    byte[] request = new TcpRequestFrame("abc/ns/comp/ep", Map.of("request-id", "r1"), new TwoPartMessage("{\"id\":\"r\"}".getBytes(), "7".getBytes()).encode()).encode();
    byte[] twoPart = new TwoPartMessage("{\"error\":null}".getBytes(), new byte[0]).encode();
    byte[] data = TwoPartMessage.dataOnly("{\"data\":\"x\",\"complete_final\":false}".getBytes()).encode();
    UUID id = new UUID(1, 2);
    return List.of(
        new Target("request frame", () -> new Codecs.RequestDecoder(MAX), List.of(request, concat(request, request)), f -> ((TcpRequestFrame) f).payload().length),
        new Target("ACK", () -> new Codecs.AckDecoder(MAX), List.of(TcpAck.ofText("Server overloaded: worker at capacity").encode(), TcpAck.OK.encode()),
            f -> ((TcpAck) f).encode().length),
        new Target("two-part (caller side)", () -> new Codecs.TwoPartDecoder(MAX, true), List.of(twoPart, concat(twoPart, data)),
            f -> ((TwoPartMessage) f).encodedSize()),
        new Target("mux frame", () -> new Codecs.MuxDecoder(MAX), List.of(MuxFrame.window(id, 4096).encode(), MuxFrame.accept(1 << 20).encode()),
            f -> ((MuxFrame) f).payload().length));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] mutate(Random r, byte[] seed) {
    byte[] s = seed.clone();
    int edits = r.nextInt(5);
    for (int e = 0; e < edits && s.length > 0; e++) {
      switch (r.nextInt(4)) {
        case 0 -> s[r.nextInt(s.length)] = (byte) r.nextInt(256);
        case 1 -> s = Arrays.copyOf(s, r.nextInt(s.length + 1));
        case 2 -> s[r.nextInt(s.length)] = (byte) (r.nextBoolean() ? 0xff : 0x7f); // length fields near their tops
        default -> {
          byte[] longer = Arrays.copyOf(s, s.length + 1 + r.nextInt(64));
          for (int k = s.length; k < longer.length; k++) {
            longer[k] = (byte) r.nextInt(256);
          }
          s = longer;
        }
      }
    }
    return s;
  }

  @Test
  void aTlsClientHelloOrAlertAsTheFirstBytesClosesEveryPlainTextDecoder() {
    byte[][] tlsStarts = {{0x16, 0x03, 0x01, 0x00, 0x50, 0x01}, TcpTls.UNEXPECTED_MESSAGE_ALERT};
    for (Target t : targets()) {
      for (byte[] start : tlsStarts) {
        EmbeddedChannel ch = new EmbeddedChannel(t.decoder().get());
        try {
          ch.writeInbound(Unpooled.wrappedBuffer(start));
        } catch (TcpTls.PeerSpeaksTls e) {
          assertThat(e.getMessage()).contains("speaks TLS");
        } finally {
          assertThat(ch.isOpen()).as("%s after %s", t.name(), HexFormat.of().formatHex(start)).isFalse();
          assertThat((Object) ch.readInbound()).isNull();
          ch.finishAndReleaseAll();
        }
      }
    }
  }

  @Test
  void everyDecoderOnlyDecodesOrClosesWhateverArrivesInWhateverPieces() {
    for (Target t : targets()) {
      Random r = new Random(SEED ^ t.name().hashCode());
      int closed = 0;
      int decoded = 0;
      for (int i = 0; i < ITERATIONS; i++) {
        byte[] input;
        if (r.nextInt(4) == 0) {
          input = new byte[r.nextInt(200)];
          r.nextBytes(input);
        } else {
          input = mutate(r, t.seeds().get(r.nextInt(t.seeds().size())));
        }
        EmbeddedChannel ch = new EmbeddedChannel(t.decoder().get());
        try {
          int pos = 0;
          while (pos < input.length && ch.isOpen()) {
            int piece = 1 + r.nextInt(Math.max(1, input.length - pos));
            ch.writeInbound(Unpooled.wrappedBuffer(input, pos, Math.min(piece, input.length - pos)));
            pos += piece;
          }
          Object frame;
          while ((frame = ch.readInbound()) != null) {
            decoded++;
            assertThat(t.size().applyAsLong(frame)).as("%s: a decoded frame within the limit", t.name()).isLessThanOrEqualTo(MAX + 64);
          }
          if (!ch.isOpen()) {
            closed++;
          }
        } catch (TcpTls.PeerSpeaksTls e) {
          // a plain-text client side whose peer's first bytes look like TLS: a typed error, then closed
          assertThat(ch.isOpen()).as("%s: closed after %s", t.name(), e.getMessage()).isFalse();
          closed++;
        } catch (RuntimeException | AssertionError e) {
          throw new AssertionError(t.name() + ": input " + HexFormat.of().formatHex(input) + " (seed " + SEED + ", iteration " + i + ") gave " + e, e);
        } finally {
          ch.finishAndReleaseAll();
        }
      }
      // both outcomes were exercised, so the run tested something
      assertThat(closed).as("%s: inputs that closed the channel", t.name()).isPositive();
      assertThat(decoded).as("%s: frames decoded", t.name()).isPositive();
    }
  }
}
