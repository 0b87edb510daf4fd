package dev.dynamo4j.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What many threads write to one Netty channel: encoded frames are queued from any thread and one
 * event-loop task writes everything queued and flushes once, so a burst of frames costs one
 * hand-off and one syscall, not one each. Writers block ({@link #awaitRoom}) while more than
 * {@code maxQueuedBytes} wait here or the channel is not writable (Netty's water marks), so a
 * peer that stops reading slows its writers instead of growing memory.
 */
final class Outbound {
  private final Channel channel;
  private final long maxQueuedBytes;
  private final ConcurrentLinkedQueue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final Runnable drainTask = this::drain;
  private final AtomicInteger waiters = new AtomicInteger();

  Outbound(Channel channel, long maxQueuedBytes) {
    this.channel = channel;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /** Bytes queued here and not yet handed to the channel. */
  long queued() {
    return queuedBytes.get();
  }

  /**
   * Blocks while the queue is over its limit or the channel is not writable; returns at once
   * when {@code closed} turns true or the channel is inactive. Woken by {@link #signal()}; also
   * re-checks every 100 ms so a missed signal cannot hold a writer.
   */
  void awaitRoom(BooleanSupplier closed) throws InterruptedException {
    if (channel.isWritable() && queuedBytes.get() <= maxQueuedBytes) {
      return;
    }
    waiters.incrementAndGet();
    lock.lock();
    try {
      while (channel.isActive() && !closed.getAsBoolean() && (!channel.isWritable() || queuedBytes.get() > maxQueuedBytes)) {
        room.await(100, TimeUnit.MILLISECONDS);
      }
      // Pass the turn on: one writer is woken per signal and wakes the next once it has room,
      // so thousands of blocked streams do not all wake at every drain.
      room.signal();
    } finally {
      lock.unlock();
      waiters.decrementAndGet();
    }
  }

  /**
   * Queues {@code buf} (ownership passes here) and makes sure a drain will run: from another
   * thread it wakes the event loop; from the event loop itself it runs after the current task, so
   * the frames a read burst produces (WINDOW frames, a direct-mode answer) leave in one flush.
   */
  void enqueue(ByteBuf buf) {
    queuedBytes.addAndGet(buf.readableBytes());
    queue.add(buf);
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drainTask);
    }
  }

  /** On the event loop: write everything queued, flush once, wake blocked writers. */
  void drain() {
    drainScheduled.set(false);
    ByteBuf b;
    boolean wrote = false;
    while ((b = queue.poll()) != null) {
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
    signal();
  }

  /** Releases everything still queued (the channel closed). */
  void discard() {
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      queuedBytes.addAndGet(-b.readableBytes());
      b.release();
    }
    signal();
  }

  /** Wakes blocked writers to re-check (writability changed, the channel closed). */
  void signal() {
    if (waiters.get() == 0) {
      return;
    }
    lock.lock();
    try {
      if (channel.isActive()) {
        room.signal();
      } else {
        room.signalAll(); // closed: everyone leaves
      }
    } finally {
      lock.unlock();
    }
  }
}
