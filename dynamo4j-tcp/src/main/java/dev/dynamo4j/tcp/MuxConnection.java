package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.CallHomeRegistry;
import dev.dynamo4j.wire.MuxFrame.Kind;
import dev.dynamo4j.wire.MuxFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multiplexed response connection, on either side: the streams it carries, keyed by id, and
 * the frames between them and the socket. Netty handler after a {@link Codecs.MuxDecoder}.
 *
 * <p>Threads: frames are decoded and dispatched on the connection's event loop, which only
 * queues them on their stream (or hands them to a stream's listener); a stream's reader is woken
 * once per read burst ({@link #channelReadComplete}), not once per frame. Writes from any thread
 * go through one {@link Outbound} per connection.
 *
 * <p>Memory: each stream queues at most its receive window plus one frame (a peer that sends
 * more has its stream reset); on top of that the connection stops reading from the socket while
 * more than {@value #MAX_QUEUED_INBOUND} bytes wait for readers across its streams, and resumes
 * at half of that.
 *
 * <p>Failures: a malformed frame closes the connection (the decoder's rule); a closed connection
 * ends every stream on it with {@code Disconnected}. Frames for a stream this side no longer
 * knows are dropped (the stream ended here; the peer learns it from our END or RESET).
 *
 * <p>Idle: the worker, which dialled the connection, retires it ({@link #retireIfIdle}) once it
 * has carried no stream for a while. Retiring and opening a stream exclude each other without a
 * lock: the retirer marks the connection, then looks for streams; an opener adds its stream, then
 * looks for the mark. At least one of them sees the other, so either the retirer backs off or the
 * opener takes its stream back ({@code Disconnected}, and its caller picks another connection):
 * no stream is ever opened on a connection that then closes for being idle.
 */
final class MuxConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(MuxConnection.class);
  static final long MAX_QUEUED_INBOUND = 64L * 1024 * 1024;
  static final long MAX_QUEUED_OUTBOUND = 1024L * 1024;

  private final Channel channel;
  /** Registrations the worker may OPEN; null on the worker side. */
  private final CallHomeRegistry registry;
  private final int receiveWindow;
  private final int sendWindow;
  private final long maxPayload;
  final Outbound outbound;
  private final Map<UUID, MuxStream> streams = new ConcurrentHashMap<>();
  private final List<MuxStream> touched = new ArrayList<>(); // event loop only
  private final List<MuxStream> opened = new ArrayList<>(); // event loop only, with openedFor
  private final List<CallHomeRegistry.Registration> openedFor = new ArrayList<>();
  private final AtomicLong queuedInbound = new AtomicLong();
  private volatile boolean closed;
  /** Set by {@link #retireIfIdle} while it checks for streams; an opener that sees it backs off. */
  private volatile boolean retiring;
  /** When a stream last opened or ended here ({@link System#nanoTime}). */
  private volatile long lastUsed = System.nanoTime();
  private volatile Runnable onClose;

  /**
   * @param registry the caller's registrations (caller side), or null (worker side)
   * @param receiveWindow this side's per-stream receive window, as announced to the peer
   * @param sendWindow the peer's per-stream receive window, as it announced
   */
  MuxConnection(Channel channel, CallHomeRegistry registry, int receiveWindow, int sendWindow, long maxPayload) {
    this.channel = channel;
    this.registry = registry;
    this.receiveWindow = receiveWindow;
    this.sendWindow = sendWindow;
    this.maxPayload = maxPayload;
    this.outbound = new Outbound(channel, MAX_QUEUED_OUTBOUND);
  }

  Channel channel() {
    return channel;
  }

  int activeStreams() {
    return streams.size();
  }

  boolean isUsable() {
    return !closed && !retiring && channel.isActive();
  }

  void onClose(Runnable r) {
    this.onClose = r;
  }

  long maxPayload() {
    return maxPayload;
  }

  /**
   * Worker side: a new stream with the caller's subject as its id. With {@code deferOpen} (a
   * response stream) its OPEN goes out with its first frame, the prologue, so opening and
   * answering cost the caller one wake-up; otherwise (a request stream, which the worker only
   * reads) at once.
   */
  MuxStream open(UUID id, boolean deferOpen) {
    MuxStream s = new MuxStream(this, id, receiveWindow, sendWindow, deferOpen);
    if (streams.putIfAbsent(id, s) != null) {
      throw new DynamoException(ErrorType.InvalidArgument, "stream " + id + " is already open on this connection");
    }
    lastUsed = System.nanoTime();
    if (!isUsable()) { // closed, or being retired for idleness: the caller picks another connection
      streams.remove(id, s);
      throw new DynamoException(ErrorType.Disconnected, "response connection to " + channel.remoteAddress() + " closed");
    }
    if (!deferOpen) {
      write(Kind.OPEN, id, null);
    }
    return s;
  }

  /** Encodes one frame into a pooled buffer and queues it; any thread. */
  void write(Kind kind, UUID id, byte[] payload) {
    int len = payload == null ? 0 : payload.length;
    ByteBuf b = channel.alloc().buffer(MuxFrame.HEADER_SIZE + len);
    b.writeByte(kind.wire()).writeLong(id.getMostSignificantBits()).writeLong(id.getLeastSignificantBits()).writeInt(len);
    if (len > 0) {
      b.writeBytes(payload);
    }
    outbound.enqueue(b);
  }

  void forget(MuxStream s) {
    if (streams.remove(s.id(), s)) {
      lastUsed = System.nanoTime();
    }
  }

  /**
   * Worker side, on the connection's event loop: closes the connection when it has carried no
   * stream for {@code idleNanos} and has nothing left to write; false (and the connection kept)
   * otherwise, or when a stream opens at the same moment.
   */
  boolean retireIfIdle(long idleNanos) {
    if (closed || !streams.isEmpty() || System.nanoTime() - lastUsed < idleNanos || outbound.queued() > 0) {
      return false;
    }
    retiring = true;
    if (!streams.isEmpty()) { // an opener came in between: it keeps the connection
      retiring = false;
      return false;
    }
    closed = true;
    // after whatever Netty still holds for the socket (the last stream's END went out long ago)
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    return true;
  }

  /** A reader took {@code bytes} off a stream's queue. */
  void consumed(long bytes) {
    long left = queuedInbound.addAndGet(-bytes);
    if (left <= MAX_QUEUED_INBOUND / 2 && !channel.config().isAutoRead() && !closed) {
      channel.config().setAutoRead(true);
    }
  }

  void queued(long bytes) {
    if (queuedInbound.addAndGet(bytes) > MAX_QUEUED_INBOUND && channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof MuxFrame f)) { // bytes a hostile peer sent before the handshake finished
      ReferenceCountUtil.release(msg);
      log.warn("unexpected bytes during the mux handshake from {}; closing", channel.remoteAddress());
      ctx.close();
      return;
    }
    switch (f.kind()) {
      case OPEN -> opened(f.stream());
      case HEADER, DATA -> {
        MuxStream s = streams.get(f.stream());
        if (s != null && s.onFrame(f)) {
          touch(s);
        }
      }
      case END -> {
        MuxStream s = streams.get(f.stream());
        if (s != null) {
          s.onEnd(null);
          touch(s);
        }
      }
      case RESET -> {
        MuxStream s = streams.remove(f.stream());
        if (s != null) {
          String why = new String(f.payload(), StandardCharsets.UTF_8);
          s.onReset(new DynamoException(ErrorType.Disconnected, "stream reset by the peer" + (why.isEmpty() ? "" : ": " + why)));
          touch(s);
        }
      }
      case WINDOW -> {
        MuxStream s = streams.get(f.stream());
        if (s != null) {
          s.addCredit(f.credits());
        }
      }
      case ACCEPT -> {
        log.warn("unexpected ACCEPT on an established mux connection from {}; closing", channel.remoteAddress());
        ctx.close();
      }
    }
  }

  /** Caller side: the worker opened the stream of a registration. */
  private void opened(UUID id) {
    CallHomeRegistry.Registration r = registry == null ? null : registry.claim(id);
    if (r == null) {
      log.debug("OPEN for unknown stream {} from {}; resetting it", id, channel.remoteAddress());
      write(Kind.RESET, id, "no caller expects this stream".getBytes(StandardCharsets.UTF_8));
      return;
    }
    MuxStream s = new MuxStream(this, id, receiveWindow, sendWindow, false);
    streams.put(id, s);
    opened.add(s);
    openedFor.add(r);
  }

  private void touch(MuxStream s) {
    if (s.markTouched()) {
      touched.add(s);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Streams opened in this burst go to their callers now, with whatever else the burst held
    // for them (the prologue, often the items) already queued: one wake-up, not one per frame.
    for (int i = 0; i < opened.size(); i++) {
      MuxStream s = opened.get(i);
      if (!openedFor.get(i).connect(s)) {
        s.reset("the caller stopped waiting for this stream");
      }
    }
    opened.clear();
    openedFor.clear();
    for (int i = 0; i < touched.size(); i++) {
      touched.get(i).wakeReader();
    }
    touched.clear();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    outbound.signal();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    outbound.discard();
    DynamoException gone = new DynamoException(ErrorType.Disconnected, "response connection to " + channel.remoteAddress() + " closed");
    for (MuxStream s : streams.values()) {
      s.onEnd(gone);
      s.wakeReader();
    }
    for (int i = 0; i < opened.size(); i++) {
      openedFor.get(i).cancel(gone);
    }
    opened.clear();
    openedFor.clear();
    streams.clear();
    touched.clear();
    Runnable r = onClose;
    if (r != null) {
      r.run();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (TcpTls.isTls(cause)) {
      log.warn("mux connection {} failed: {}", channel.remoteAddress(), TcpTls.describe(cause, true));
    } else {
      log.debug("mux connection {} failed: {}", channel.remoteAddress(), cause.toString());
    }
    ctx.close();
  }

  void close() {
    closed = true;
    channel.close();
  }
}
