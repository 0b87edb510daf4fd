package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.wire.MuxFrame;
import dev.dynamo4j.wire.TcpAck;
import dev.dynamo4j.wire.TcpRequestFrame;
import dev.dynamo4j.wire.TwoPartMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The TCP decoders in a Netty pipeline of their own ({@link EmbeddedChannel}): frames that arrive
 * a byte at a time or several to a read, bad bytes, TLS where plain text is expected, and the
 * server's budget for unfinished frames, without a socket.
 */
class CodecsEmbeddedChannelTest {
  private static final long MAX = 64 * 1024;

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes {@code bytes} into the channel one byte per read. */
  static void trickle(EmbeddedChannel ch, byte[] bytes) {
    for (byte b : bytes) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
  }

  @Test
  void aRequestFrameThatArrivesAByteAtATimeDecodesOnceWhole() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.RequestDecoder(MAX));
    TcpRequestFrame sent = new TcpRequestFrame("ns/comp/ep", Map.of("request-id", "r1"), utf8("payload"));
    byte[] bytes = sent.encode();
    trickle(ch, Arrays.copyOf(bytes, bytes.length - 1));
    assertThat((Object) ch.readInbound()).as("nothing before the last byte").isNull();
    trickle(ch, new byte[] {bytes[bytes.length - 1]});
    TcpRequestFrame got = ch.readInbound();
    assertThat(got.path()).isEqualTo("ns/comp/ep");
    assertThat(got.headers()).containsEntry("request-id", "r1");
    assertThat(got.payload()).isEqualTo(utf8("payload"));
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void severalFramesInOneReadComeOutInOrder() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.TwoPartDecoder(MAX));
    byte[] a = new TwoPartMessage(utf8("{\"h\":1}"), utf8("one")).encode();
    byte[] b = TwoPartMessage.dataOnly(utf8("two")).encode();
    byte[] c = TwoPartMessage.headerOnly(utf8("\"stop\"")).encode();
    ByteBuf all = Unpooled.wrappedBuffer(a, b, c);
    ch.writeInbound(all);
    assertThat(((TwoPartMessage) ch.readInbound()).data()).isEqualTo(utf8("one"));
    assertThat(((TwoPartMessage) ch.readInbound()).data()).isEqualTo(utf8("two"));
    assertThat(((TwoPartMessage) ch.readInbound()).isHeaderOnly()).isTrue();
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void anAckSplitAcrossReadsDecodes() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.AckDecoder(MAX));
    byte[] bytes = TcpAck.overloaded().encode();
    ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, 2));
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeInbound(Unpooled.wrappedBuffer(bytes, 2, bytes.length - 2));
    assertThat(((TcpAck) ch.readInbound()).text()).isEqualTo("Server overloaded: worker at capacity");
  }

  @Test
  void anOversizedRequestIsAnsweredWithAReadErrorAndTheConnectionCloses() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.RequestDecoder(MAX));
    byte[] big = new TcpRequestFrame("ep", Map.of(), new byte[(int) MAX]).encode();
    ch.writeInbound(Unpooled.wrappedBuffer(big, 0, 64)); // the length prefix says too much already
    assertThat((Object) ch.readInbound()).isNull();
    ByteBuf reply = ch.readOutbound();
    assertThat(reply).as("an ACK frame with the reason").isNotNull();
    byte[] replyBytes = new byte[reply.readableBytes()];
    reply.readBytes(replyBytes);
    reply.release();
    assertThat(TcpAck.decode(replyBytes, MAX).text()).startsWith("Read error: ");
    ch.runPendingTasks();
    assertThat(ch.isOpen()).as("that connection is closed").isFalse();
  }

  @Test
  void tlsBytesOnAPlainTextConnectionCloseItWithoutDecodingAnything() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.RequestDecoder(MAX));
    // a TLS 1.2 ClientHello record header: handshake (22), version 3.1, a length
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3, 1, 0, 100, 1, 0, 0, 96}));
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void anUnfinishedFrameOverTheServersBudgetClosesItsConnectionAndFreesTheBudget() {
    Codecs.PendingBudget budget = new Codecs.PendingBudget(100, Duration.ofSeconds(30));
    EmbeddedChannel small = new EmbeddedChannel(new Codecs.RequestDecoder(MAX).within(budget));
    byte[] frame = new TcpRequestFrame("ep", Map.of(), new byte[500]).encode();
    small.writeInbound(Unpooled.wrappedBuffer(frame, 0, 60));
    assertThat(budget.held()).isEqualTo(60);
    small.writeInbound(Unpooled.wrappedBuffer(frame, 60, 60)); // 120 held would pass 100
    assertThat(small.isOpen()).isFalse();
    assertThat(budget.refused()).isEqualTo(1);
    assertThat(budget.held()).as("what the closed connection held is given back").isZero();
    EmbeddedChannel next = new EmbeddedChannel(new Codecs.RequestDecoder(MAX).within(budget));
    byte[] fits = new TcpRequestFrame("ep", Map.of(), utf8("x")).encode();
    next.writeInbound(Unpooled.wrappedBuffer(fits));
    assertThat((Object) next.readInbound()).as("another connection is served").isNotNull();
    assertThat(budget.held()).isZero();
  }

  // ---- the mux decoder (both sides of a multiplexed response connection) ----

  @Test
  void muxFramesThatArriveAByteAtATimeOrSeveralToAReadComeOutWholeAndInOrder() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection());
    UUID id = UUID.randomUUID();
    byte[] open = new MuxFrame(MuxFrame.Kind.OPEN, id, new byte[0]).encode();
    byte[] data = new MuxFrame(MuxFrame.Kind.DATA, id, utf8("item")).encode();
    byte[] window = MuxFrame.window(id, 4096).encode();
    byte[] end = new MuxFrame(MuxFrame.Kind.END, id, new byte[0]).encode();
    trickle(ch, Arrays.copyOf(open, open.length - 1));
    assertThat((Object) ch.readInbound()).as("nothing before the header's last byte").isNull();
    trickle(ch, new byte[] {open[open.length - 1]});
    assertThat(((MuxFrame) ch.readInbound()).kind()).isEqualTo(MuxFrame.Kind.OPEN);
    ch.writeInbound(Unpooled.wrappedBuffer(data, window, end));
    MuxFrame d = ch.readInbound();
    assertThat(d.kind()).isEqualTo(MuxFrame.Kind.DATA);
    assertThat(d.stream()).isEqualTo(id);
    assertThat(d.payload()).isEqualTo(utf8("item"));
    assertThat(((MuxFrame) ch.readInbound()).credits()).isEqualTo(4096);
    assertThat(((MuxFrame) ch.readInbound()).kind()).isEqualTo(MuxFrame.Kind.END);
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void aMuxFrameWithAnUnknownKindClosesItsConnectionWithNothingDecoded() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection());
    byte[] bad = new MuxFrame(MuxFrame.Kind.DATA, UUID.randomUUID(), utf8("x")).encode();
    bad[0] = 9; // no such kind
    ch.writeInbound(Unpooled.wrappedBuffer(bad));
    assertThat((Object) ch.readInbound()).isNull();
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void aMuxHeaderThatAnnouncesMoreThanTheLimitClosesTheConnectionBeforeThePayloadArrives() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(1024).midConnection());
    ByteBuffer header = ByteBuffer.allocate(MuxFrame.HEADER_SIZE);
    MuxFrame.writeHeader(header, MuxFrame.Kind.DATA, UUID.randomUUID(), 1025);
    ch.writeInbound(Unpooled.wrappedBuffer(header.array())); // only the header: the length alone is enough
    assertThat((Object) ch.readInbound()).isNull();
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void aWindowOfZeroCreditsIsAConnectionError() {
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection());
    ByteBuffer zero = ByteBuffer.allocate(MuxFrame.HEADER_SIZE + 4);
    MuxFrame.writeHeader(zero, MuxFrame.Kind.WINDOW, UUID.randomUUID(), 4);
    zero.putInt(0);
    ch.writeInbound(Unpooled.wrappedBuffer(zero.array()));
    assertThat((Object) ch.readInbound()).isNull();
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void anUnfinishedMuxFrameCountsAgainstTheBudgetUntilItArrivesWhole() {
    Codecs.PendingBudget budget = new Codecs.PendingBudget(10_000, Duration.ofSeconds(30));
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection().within(budget));
    byte[] frame = new MuxFrame(MuxFrame.Kind.DATA, UUID.randomUUID(), new byte[1000]).encode();
    ch.writeInbound(Unpooled.wrappedBuffer(frame, 0, 500));
    assertThat(budget.held()).isEqualTo(500);
    ch.writeInbound(Unpooled.wrappedBuffer(frame, 500, frame.length - 500));
    assertThat(((MuxFrame) ch.readInbound()).payload()).hasSize(1000);
    assertThat(budget.held()).as("released once whole").isZero();
  }

  /** Scheduled tasks waiting on an embedded channel's loop (Netty keeps them in a field of its executor). */
  private static int scheduledTasks(EmbeddedChannel ch) throws Exception {
    Field f = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
    f.setAccessible(true);
    Collection<?> q = (Collection<?>) f.get(ch.eventLoop());
    return q == null ? 0 : q.size();
  }

  /** The first 100 bytes of {@code frame}: an unfinished frame begins. */
  private static void aFrameBegins(EmbeddedChannel ch, byte[] frame) {
    ch.writeInbound(Unpooled.wrappedBuffer(frame, 0, 100));
  }

  /** After {@link #aFrameBegins}: reads of frame {@code i}'s tail and frame {@code i + 1}'s head, as reads of a busy connection end. */
  private static void readsThatEachEndInsideAFrame(EmbeddedChannel ch, byte[] frame, int reads) {
    for (int i = 0; i < reads; i++) {
      ByteBuf b = Unpooled.buffer();
      b.writeBytes(frame, 100, frame.length - 100).writeBytes(frame, 0, 100);
      ch.writeInbound(b);
      ReferenceCountUtil.release(ch.readInbound());
    }
  }

  @Test
  void aBusyConnectionKeepsOneFrameTimerWhateverItsReadRate() throws Exception {
    Codecs.PendingBudget budget = new Codecs.PendingBudget(1 << 20, Duration.ofSeconds(30));
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection().within(budget));
    byte[] frame = new MuxFrame(MuxFrame.Kind.DATA, UUID.randomUUID(), new byte[1000]).encode();
    aFrameBegins(ch, frame);
    readsThatEachEndInsideAFrame(ch, frame, 5000);
    assertThat(scheduledTasks(ch)).as("timers after 5000 reads that each end inside a frame").isEqualTo(1);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void eachNewUnfinishedFrameGetsTheWholeTimeoutAndALateOneClosesTheConnection() {
    Codecs.PendingBudget budget = new Codecs.PendingBudget(1 << 20, Duration.ofSeconds(30));
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection().within(budget));
    ch.freezeTime();
    byte[] frame = new MuxFrame(MuxFrame.Kind.DATA, UUID.randomUUID(), new byte[1000]).encode();
    aFrameBegins(ch, frame); // frame 1
    ch.advanceTimeBy(20, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    readsThatEachEndInsideAFrame(ch, frame, 1); // frame 1 ends 20 s in, frame 2 begins
    ch.advanceTimeBy(20, TimeUnit.SECONDS); // the first timer (30 s) has fired: frame 2 is 20 s old
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("frame 2 is within its 30 s").isTrue();
    ch.advanceTimeBy(11, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).as("frame 2 unfinished after 31 s").isFalse();
    assertThat(budget.timedOut()).isEqualTo(1);
  }

  @Test
  void aFrameThatArrivesWholeLeavesNoTimeoutBehind() {
    Codecs.PendingBudget budget = new Codecs.PendingBudget(1 << 20, Duration.ofSeconds(30));
    EmbeddedChannel ch = new EmbeddedChannel(new Codecs.MuxDecoder(MAX).midConnection().within(budget));
    ch.freezeTime();
    byte[] frame = new MuxFrame(MuxFrame.Kind.DATA, UUID.randomUUID(), new byte[1000]).encode();
    ch.writeInbound(Unpooled.wrappedBuffer(frame, 0, 500));
    ch.writeInbound(Unpooled.wrappedBuffer(frame, 500, frame.length - 500));
    ReferenceCountUtil.release(ch.readInbound());
    ch.advanceTimeBy(60, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    assertThat(budget.timedOut()).isZero();
  }
}
