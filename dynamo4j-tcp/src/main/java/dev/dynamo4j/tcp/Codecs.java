package dev.dynamo4j.tcp;

import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.MuxFrame;
import dev.dynamo4j.wire.TcpAck;
import dev.dynamo4j.wire.TcpRequestFrame;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty decoders around the byte-exact decoders of {@code dev.dynamo4j.wire}: each waits until a
 * whole frame is buffered (lengths are validated before anything is allocated), emits it, and on
 * a {@link WireFormatException} drops the rest of the input of that connection only.
 */
final class Codecs {
  private Codecs() {}

  private static final Logger log = LoggerFactory.getLogger(Codecs.class);

  /** Decodes one item from the front of {@code in}; {@code null} = need more bytes. */
  @FunctionalInterface
  interface FrameParser<T> {
    T parse(ByteBuffer buf);
  }

  /**
   * The bytes of unfinished frames one server holds across its connections, and how long a frame
   * may take to arrive once it has begun (see {@code TcpServerLimits}).
   */
  static final class PendingBudget {
    private final long limit;
    private final long frameTimeoutNanos;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();

    PendingBudget(long limit, Duration frameTimeout) {
      this.limit = limit;
      this.frameTimeoutNanos = frameTimeout.toNanos();
    }

    boolean tryHold(long bytes) {
      long now = held.addAndGet(bytes);
      if (now > limit) {
        held.addAndGet(-bytes);
        return false;
      }
      return true;
    }

    void release(long bytes) {
      held.addAndGet(-bytes);
    }

    /** Bytes of unfinished frames held now. */
    long held() {
      return held.get();
    }

    /** Connections closed because their bytes would have passed the budget. */
    long refused() {
      return refused.get();
    }

    /** Connections closed because a frame did not arrive in time. */
    long timedOut() {
      return timedOut.get();
    }
  }

  /** Shared body: parse from a NIO view, advance the reader index by what was consumed. */
  abstract static class FrameDecoder<T> extends ByteToMessageDecoder {
    private final FrameParser<T> parser;
    private boolean failed;
    private PendingBudget budget;
    private long held; // bytes of an unfinished frame this connection holds (counted in the budget)
    private long frameStart; // when the unfinished frame's first byte arrived, on its event loop's ticker
    private ScheduledFuture<?> frameTimer; // the one pending frame-timeout check, or null
    private boolean firstBytesChecked; // whether the connection's first bytes were looked at for TLS

    /** For a decoder that takes over in the middle of a connection: its first bytes are not the connection's. */
    FrameDecoder<T> midConnection() {
      firstBytesChecked = true;
      return this;
    }

    FrameDecoder(FrameParser<T> parser) {
      this.parser = parser;
    }

    /** Counts this connection's unfinished frames against {@code budget} and its frame timeout. */
    FrameDecoder<T> within(PendingBudget budget) {
      this.budget = budget;
      return this;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (failed) {
        in.skipBytes(in.readableBytes());
        return;
      }
      if (!firstBytesChecked && in.readableBytes() >= 3) {
        firstBytesChecked = true;
        if (TcpTls.looksLikeTls(in)) { // no frame of ours starts like a TLS record (see TcpTls.looksLikeTls)
          failed = true;
          in.skipBytes(in.readableBytes());
          releaseAll();
          onTlsPeer(ctx);
          return;
        }
      }
      ByteBuffer view = in.nioBuffer();
      T frame;
      try {
        frame = parser.parse(view);
      } catch (WireFormatException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        releaseAll();
        onMalformed(ctx, e);
        return;
      }
      if (frame != null) {
        in.skipBytes(view.position());
        out.add(frame);
      }
      if (budget != null) {
        account(ctx, in, frame != null);
      }
    }

    /** Holds what is left of an unfinished frame against the budget; starts its timeout. */
    private void account(ChannelHandlerContext ctx, ByteBuf in, boolean progressed) {
      // ByteToMessageDecoder calls decode again while frames come out; what is left after the
      // last call is an unfinished frame (or nothing).
      long now = in.readableBytes();
      long delta = now - held;
      if (delta > 0 && !budget.tryHold(delta)) {
        budget.refused.incrementAndGet();
        failed = true;
        in.skipBytes(in.readableBytes());
        releaseAll();
        log.warn("closing {}: its unfinished frame would pass the server's budget of {} bytes held for unfinished frames "
            + "(DYN_TCP_MAX_PENDING_BYTES)", ctx.channel().remoteAddress(), budget.limit);
        ctx.close();
        return;
      }
      if (delta < 0) {
        budget.release(-delta);
      }
      boolean started = held == 0 && now > 0;
      held = now;
      if (now > 0 && (started || progressed)) { // a new unfinished frame: its clock starts now
        frameStart = ctx.executor().ticker().nanoTime();
        armFrameTimer(ctx, budget.frameTimeoutNanos);
      }
    }

    /**
     * At most one timer per connection: a busy connection ends most reads inside a frame, and a
     * timer per such read (tens of thousands a second, each kept for the whole timeout) would grow
     * the event loop's timer heap with the read rate, which a peer chooses.
     */
    private void armFrameTimer(ChannelHandlerContext ctx, long delayNanos) {
      if (frameTimer == null) {
        frameTimer = ctx.executor().schedule(() -> checkFrameTimeout(ctx), delayNanos, TimeUnit.NANOSECONDS);
      }
    }

    /**
     * Closes the connection if its unfinished frame began a frame timeout ago or more; else checks
     * again when it would. While this side has stopped reading (flow control on a response
     * connection), the peer cannot finish it: the frame's clock starts again.
     */
    private void checkFrameTimeout(ChannelHandlerContext ctx) {
      frameTimer = null;
      if (held == 0 || failed || !ctx.channel().isActive()) {
        return;
      }
      long left = frameStart + budget.frameTimeoutNanos - ctx.executor().ticker().nanoTime();
      if (left > 0) {
        armFrameTimer(ctx, left);
        return;
      }
      if (!ctx.channel().config().isAutoRead()) { // paused by us, not late
        frameStart = ctx.executor().ticker().nanoTime();
        armFrameTimer(ctx, budget.frameTimeoutNanos);
        return;
      }
      budget.timedOut.incrementAndGet();
      log.warn("closing {}: a frame did not arrive whole within {} ms of its first byte (DYN_TCP_FRAME_TIMEOUT_SECS); {} bytes of it held",
          ctx.channel().remoteAddress(), budget.frameTimeoutNanos / 1_000_000, held);
      ctx.close();
    }

    private void releaseAll() {
      if (budget != null && held > 0) {
        budget.release(held);
      }
      held = 0;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      releaseAll();
      if (frameTimer != null) {
        frameTimer.cancel(false);
        frameTimer = null;
      }
    }

    /**
     * Called when the connection's first bytes are a TLS record on a plain-text connection. The
     * default (the side that dialled) fails the connection's users with a {@link
     * TcpTls.PeerSpeaksTls} that says so, then closes.
     */
    void onTlsPeer(ChannelHandlerContext ctx) {
      ctx.fireExceptionCaught(new TcpTls.PeerSpeaksTls("the peer at " + ctx.channel().remoteAddress() + " speaks TLS (it answered with a TLS record) "
          + "and this side dialled in plain text: set DYN_TCP_TLS_CA_CERT_PATH (or DYN_TCP_TLS_INSECURE) to talk TLS to it"));
      ctx.close();
    }

    /** The accepting side's {@link #onTlsPeer}: log and close. */
    static void refuseTlsClient(ChannelHandlerContext ctx, String what) {
      log.warn("closing {} from {}: the client speaks TLS (its first bytes are a TLS handshake) but this server is plain text; "
          + "set DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH here to accept TLS", what, ctx.channel().remoteAddress());
      ctx.close();
    }

    /** Called once for the first malformed frame; the default closes the connection. */
    void onMalformed(ChannelHandlerContext ctx, WireFormatException e) {
      log.warn("closing {}: {}", ctx.channel().remoteAddress(), e.getMessage());
      ctx.close();
    }
  }

  /** Server side of the request plane: request frames in. Malformed input gets an error ACK, then close. */
  static final class RequestDecoder extends FrameDecoder<TcpRequestFrame> {
    RequestDecoder(long maxMessageSize) {
      super(buf -> TcpRequestFrame.tryDecode(buf, maxMessageSize));
    }

    @Override
    void onMalformed(ChannelHandlerContext ctx, WireFormatException e) {
      log.warn("malformed request from {}: {}; closing that connection", ctx.channel().remoteAddress(), e.getMessage());
      ctx.writeAndFlush(ack(TcpAck.ofText("Read error: " + e.detail()))).addListener(ChannelFutureListener.CLOSE); // Dynamo: "Read error: <e>"
    }

    @Override
    void onTlsPeer(ChannelHandlerContext ctx) {
      refuseTlsClient(ctx, "request connection");
    }
  }

  /** Client side of the request plane: ACK frames in. */
  static final class AckDecoder extends FrameDecoder<TcpAck> {
    AckDecoder(long maxMessageSize) {
      super(buf -> TcpAck.tryDecode(buf, maxMessageSize));
    }
  }

  /** Both sides of a call-home connection: two-part frames in. */
  static final class TwoPartDecoder extends FrameDecoder<TwoPartMessage> {
    private final boolean callerSide;

    /** The worker's side: a malformed frame from the caller closes the connection. */
    TwoPartDecoder(long maxMessageSize) {
      this(maxMessageSize, false);
    }

    /**
     * @param callerSide true on the caller's listener: once a stream is attached (after the
     *     handshake), a frame from the worker that cannot be decoded is answered with {@code
     *     "kill"} before the close, as Dynamo's caller does (spec T4)
     */
    TwoPartDecoder(long maxMessageSize, boolean callerSide) {
      super(buf -> TwoPartMessage.tryDecode(buf, maxMessageSize));
      this.callerSide = callerSide;
    }

    @Override
    void onMalformed(ChannelHandlerContext ctx, WireFormatException e) {
      if (!callerSide || ctx.pipeline().get(NettyFrameChannel.class) == null) {
        super.onMalformed(ctx, e);
        return;
      }
      log.warn("undecodable bytes from the worker at {}: {}; sending kill and closing", ctx.channel().remoteAddress(), e.getMessage());
      ctx.writeAndFlush(Unpooled.wrappedBuffer(KILL_FRAME)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    void onTlsPeer(ChannelHandlerContext ctx) {
      if (callerSide) {
        refuseTlsClient(ctx, "response-stream connection");
      } else {
        super.onTlsPeer(ctx);
      }
    }
  }

  private static final byte[] KILL_FRAME = ControlMessage.KILL.toFrame().encode();

  /** Both sides of a multiplexed response connection, after the handshake: mux frames in. */
  static final class MuxDecoder extends FrameDecoder<MuxFrame> {
    MuxDecoder(long maxPayload) {
      super(buf -> MuxFrame.tryDecode(buf, maxPayload));
    }
  }

  static ByteBuf ack(TcpAck ack) {
    return Unpooled.wrappedBuffer(ack.encode());
  }
}
