package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.network.FrameChannel;
import dev.dynamo4j.wire.TwoPartMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call-home connection as a {@link FrameChannel}. Inbound frames are decoded on the event loop
 * and queued for the reading (virtual) thread; past {@value #HIGH_WATER} queued frames the channel
 * stops reading from the socket until the reader catches up, so a slow consumer slows the
 * sender through TCP flow control instead of growing memory.
 *
 * <p>{@link #send} queues the encoded frame and, if no drain is pending, schedules one task on
 * the event loop that writes everything queued and flushes once: one hand-off and one syscall
 * per burst, not per frame. It blocks while more than {@value #MAX_QUEUED_BYTES} bytes wait or
 * the channel is not writable (Netty's write-buffer water marks). Closing, a peer's close or a
 * malformed frame all end {@link #receive} with {@code null}.
 */
final class NettyFrameChannel extends ChannelInboundHandlerAdapter implements FrameChannel {
  private static final Logger log = LoggerFactory.getLogger(NettyFrameChannel.class);
  static final int HIGH_WATER = 64;
  private static final int LOW_WATER = 16;
  private static final Object EOF = new Object();

  private final Channel channel;
  private final long maxMessageSize;
  private final LinkedBlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Condition writable = writeLock.newCondition();
  private volatile boolean eof;
  private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
  /** How long a close waits for frames already sent to reach the peer (Dynamo waits 10 s for the FIN). */
  static final long CLOSE_LINGER_SECONDS = 10;
  static final long MAX_QUEUED_BYTES = 256 * 1024;
  private final java.util.concurrent.ConcurrentLinkedQueue<io.netty.buffer.ByteBuf> outbound = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled = new java.util.concurrent.atomic.AtomicBoolean();

  NettyFrameChannel(Channel channel, long maxMessageSize) {
    this.channel = channel;
    this.maxMessageSize = maxMessageSize;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    inbound.add(msg);
    if (inbound.size() >= HIGH_WATER && ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inbound.add(EOF);
    io.netty.buffer.ByteBuf b;
    while ((b = outbound.poll()) != null) {
      b.release();
    }
    signalWriters();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    signalWriters();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("response connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void signalWriters() {
    writeLock.lock();
    try {
      writable.signalAll();
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void send(TwoPartMessage frame) throws InterruptedException {
    byte[] bytes = frame.encode(maxMessageSize);
    writeLock.lock();
    try {
      while (channel.isActive() && !closing.get() && (!channel.isWritable() || queuedBytes.get() > MAX_QUEUED_BYTES)) {
        writable.await();
      }
    } finally {
      writeLock.unlock();
    }
    if (!channel.isActive() || closing.get()) {
      throw new DynamoException(ErrorType.Disconnected, "response connection to " + channel.remoteAddress() + " closed");
    }
    outbound.add(Unpooled.wrappedBuffer(bytes));
    queuedBytes.addAndGet(bytes.length);
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
  }

  /** On the event loop: write everything queued, flush once. */
  private void drain() {
    drainScheduled.set(false);
    io.netty.buffer.ByteBuf b;
    boolean wrote = false;
    while ((b = outbound.poll()) != null) {
      queuedBytes.addAndGet(-b.readableBytes());
      if (channel.isActive()) {
        channel.write(b, channel.voidPromise());
        wrote = true;
      } else {
        b.release();
      }
    }
    if (wrote) {
      channel.flush();
    }
    signalWriters();
  }

  @Override
  public TwoPartMessage receive() throws InterruptedException {
    if (eof) {
      return null;
    }
    Object o = inbound.take();
    if (o == EOF) {
      eof = true;
      return null;
    }
    if (inbound.size() <= LOW_WATER && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    return (TwoPartMessage) o;
  }

  /**
   * Closes after everything already sent has been written to the socket (so a final marker and
   * sentinel are never cut off), or after {@value #CLOSE_LINGER_SECONDS} s if the peer stopped
   * reading. Blocked senders return with {@code Disconnected}. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    signalWriters();
    channel.eventLoop().execute(() -> {
      drain();
      if (!channel.isActive()) {
        return;
      }
      io.netty.util.concurrent.ScheduledFuture<?> force =
          channel.eventLoop().schedule(() -> {
            channel.close();
          }, CLOSE_LINGER_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
        force.cancel(false);
        channel.close();
      });
    });
  }
}
