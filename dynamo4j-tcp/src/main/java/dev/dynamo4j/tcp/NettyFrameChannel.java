package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.wire.TwoPartMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call-home connection (one stream per socket, Dynamo's {@code tcp_server}) as a {@link
 * FrameChannel}. Inbound frames are decoded on the event loop and queued for the reading
 * (virtual) thread, which is woken once per read burst ({@code channelReadComplete}), not once
 * per frame; past {@value #HIGH_WATER} queued frames the channel stops reading from the socket
 * until the reader catches up, so a slow consumer slows the sender through TCP flow control
 * instead of growing memory. With a {@link #listen listener} frames go straight to it on the
 * event loop instead.
 *
 * <p>{@link #send} queues the encoded frame on an {@link Outbound}: one event-loop task writes
 * a burst and flushes once. It blocks while more than {@value #MAX_QUEUED_BYTES} bytes wait or
 * the channel is not writable. Closing, a peer's close or a malformed frame all end {@link
 * #receive} with {@code null}.
 */
final class NettyFrameChannel extends ChannelInboundHandlerAdapter implements FrameChannel {
  private static final Logger log = LoggerFactory.getLogger(NettyFrameChannel.class);
  static final int HIGH_WATER = 64;
  private static final int LOW_WATER = 16;
  private static final Object EOF = new Object();
  /** How long a close waits for frames already sent to reach the peer (Dynamo waits 10 s for the FIN). */
  static final long CLOSE_LINGER_SECONDS = 10;
  static final long MAX_QUEUED_BYTES = 256 * 1024;

  private final Channel channel;
  private final long maxMessageSize;
  private final ArrayDeque<Object> inbound = new ArrayDeque<>(); // guarded by lock
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private boolean readerWaiting; // guarded by lock
  private boolean unsignalled; // event loop only: frames queued since the last wake-up
  private final Outbound outbound;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean eof;
  private volatile Listener listener; // written once, before which the event loop queues

  NettyFrameChannel(Channel channel, long maxMessageSize) {
    this.channel = channel;
    this.maxMessageSize = maxMessageSize;
    this.outbound = new Outbound(channel, MAX_QUEUED_BYTES);
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Listener l;
    int queued;
    lock.lock();
    try {
      l = listener;
      if (l == null) {
        inbound.add(msg);
        unsignalled = true;
      }
      queued = inbound.size();
    } finally {
      lock.unlock();
    }
    if (l != null) {
      l.frame((TwoPartMessage) msg);
    } else if (queued >= HIGH_WATER && ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (unsignalled) {
      unsignalled = false;
      lock.lock();
      try {
        if (readerWaiting) {
          arrived.signal();
        }
      } finally {
        lock.unlock();
      }
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Listener l;
    lock.lock();
    try {
      l = listener;
      if (l == null) {
        inbound.add(EOF);
        arrived.signal();
      }
    } finally {
      lock.unlock();
    }
    if (l != null) {
      l.end(null);
    }
    outbound.discard();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    outbound.signal();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (TcpTls.isTls(cause)) {
      log.warn("response connection {} failed: {}", ctx.channel().remoteAddress(), TcpTls.describe(cause, true));
    } else {
      log.debug("response connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }

  @Override
  public void send(TwoPartMessage frame) throws InterruptedException {
    byte[] bytes = frame.encode(maxMessageSize);
    outbound.awaitRoom(closing::get);
    if (!channel.isActive() || closing.get()) {
      throw new DynamoException(ErrorType.Disconnected, "response connection to " + channel.remoteAddress() + " closed");
    }
    outbound.enqueue(Unpooled.wrappedBuffer(bytes));
  }

  @Override
  public TwoPartMessage receive(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
    if (eof) {
      return null;
    }
    long nanos = unit.toNanos(timeout);
    Object o;
    int left;
    lock.lock();
    try {
      while ((o = inbound.poll()) == null) {
        if (nanos <= 0) {
          throw new TimeoutException();
        }
        readerWaiting = true;
        try {
          nanos = arrived.awaitNanos(nanos);
        } finally {
          readerWaiting = false;
        }
      }
      left = inbound.size();
    } finally {
      lock.unlock();
    }
    if (o == EOF) {
      eof = true;
      return null;
    }
    if (left <= LOW_WATER && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    return (TwoPartMessage) o;
  }

  @Override
  public boolean listen(Listener l) {
    List<Object> backlog;
    lock.lock();
    try {
      backlog = new ArrayList<>(inbound);
      inbound.clear();
      listener = l;
    } finally {
      lock.unlock();
    }
    for (Object o : backlog) {
      if (o == EOF) {
        l.end(null);
        return true;
      }
      l.frame((TwoPartMessage) o);
    }
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    return true;
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
    outbound.signal();
    channel.eventLoop().execute(() -> {
      outbound.drain();
      if (!channel.isActive()) {
        return;
      }
      ScheduledFuture<?> force = channel.eventLoop().schedule(() -> {
        channel.close();
      }, CLOSE_LINGER_SECONDS, TimeUnit.SECONDS);
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
        force.cancel(false);
        channel.close();
      });
    });
  }
}
