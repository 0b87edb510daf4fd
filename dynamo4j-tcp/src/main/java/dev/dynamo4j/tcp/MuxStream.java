package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.IoThreads;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.wire.MuxFrame.Kind;
import dev.dynamo4j.wire.MuxFrame;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import io.netty.util.internal.ThreadExecutorMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One response (or request) stream of a {@link MuxConnection}, as a {@link FrameChannel}.
 *
 * <p>Flow control, per stream and direction: a frame costs {@code 21 + payload} credits; the
 * sender starts with the receiver's window and may send while its credit is positive (so one
 * frame may overdraw it), then blocks in {@link #send} until a {@code WINDOW} frame returns
 * credits. The receiver returns what its reader has taken, in chunks of at least half the window,
 * so a stream that never fills half its window (a unary answer) costs no {@code WINDOW} frame at
 * all, and one slow reader holds back only its own stream. A peer that sends more than the window
 * plus one maximal frame beyond what was returned has the stream reset.
 *
 * <p>Reading: frames wait in this stream's queue until {@link #receive} takes them (its reader is
 * woken once per read burst), or go straight to a {@link #listen listener} on the event loop.
 * {@link #close} sends END after everything this side sent (same connection, same order) and ends
 * this side's reading; it does not wait. A peer's RESET reaches the reader, after the frames that
 * came before it, as a {@code Disconnected} {@link DynamoException} from {@link #receive} that
 * carries the peer's reason.
 *
 * <p>Sending from a Netty I/O thread (direct mode) never waits: frames beyond the peer's credit
 * are held, in order, until its WINDOW frames return credit, at most one window plus one maximal
 * frame; past that the stream is reset ({@code ResourceExhausted} to the sender, the reason to the
 * peer). A stream closed with frames held sends END after the last of them.
 */
final class MuxStream implements FrameChannel {
  private static final Object END = new Object();

  private final MuxConnection conn;
  private final UUID id;
  private final int receiveWindow;
  private final long overdraftLimit;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final Condition credited = lock.newCondition();
  private final ArrayDeque<Object> inbound = new ArrayDeque<>();
  // all below guarded by lock
  private long sendCredit;
  private long unreturned; // bytes received and not yet returned with WINDOW
  private long consumedSinceUpdate;
  private boolean readerWaiting;
  private boolean touched;
  private boolean endQueued; // the peer ended (END, RESET) or the connection broke
  private boolean endSeen; // the reader has taken the end
  private Throwable endError;
  private boolean peerReset; // the end was the peer's RESET: the reader gets endError, not a clean end
  private volatile boolean localClosed; // also read without the lock by a writer waiting for room
  private Listener listener;
  /** Frames sent from an I/O thread beyond the peer's credit, in order, until WINDOW returns some. */
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long heldBytes;
  private final long heldLimit;
  /** Closed while frames were held: END goes out after the last of them. */
  private boolean endAfterHeld;

  private record Held(Kind kind, byte[] payload, long cost) {}

  /** Whether this side still owes the peer the stream's OPEN (worker side, until the first frame). */
  private boolean openPending;

  MuxStream(MuxConnection conn, UUID id, int receiveWindow, int sendWindow, boolean openPending) {
    this.openPending = openPending;
    this.conn = conn;
    this.id = id;
    this.receiveWindow = receiveWindow;
    this.sendCredit = sendWindow;
    this.overdraftLimit = (long) receiveWindow + MuxFrame.HEADER_SIZE + conn.maxPayload();
    this.heldLimit = (long) sendWindow + MuxFrame.HEADER_SIZE + conn.maxPayload();
  }

  /** Whether the calling thread is an I/O thread (Netty's, or another plane's: {@link IoThreads}), which must never wait. */
  static boolean onIoThread() {
    return ThreadExecutorMap.currentExecutor() != null || IoThreads.isCurrent();
  }

  UUID id() {
    return id;
  }

  // ---- sending (any thread) ----

  @Override
  public void send(TwoPartMessage frame) throws InterruptedException {
    Kind kind;
    byte[] payload;
    if (frame.hasHeader() && frame.hasData()) {
      throw new WireFormatException(MuxFrame.FORMAT, "a mux stream carries header-only or data-only frames, not both");
    } else if (frame.hasHeader()) {
      kind = Kind.HEADER;
      payload = frame.header();
    } else {
      kind = Kind.DATA;
      payload = frame.data();
    }
    if (payload.length > conn.maxPayload()) {
      throw new WireFormatException(
          MuxFrame.FORMAT, "message too large: " + (payload.length + MuxFrame.HEADER_SIZE) + " bytes (max: " + (conn.maxPayload() + MuxFrame.HEADER_SIZE) + " bytes)");
    }
    long cost = MuxFrame.HEADER_SIZE + (long) payload.length;
    boolean io = onIoThread();
    boolean overflow = false;
    lock.lock();
    try {
      while (!io && (sendCredit <= 0 || !held.isEmpty()) && !localClosed && !endQueued && conn.isUsable()) {
        credited.await(100, TimeUnit.MILLISECONDS); // WINDOW or the end signals; the timeout re-checks the connection
      }
      checkOpen();
      if (io && (sendCredit <= 0 || !held.isEmpty())) {
        // An I/O thread (direct mode) never waits: hold the frame until WINDOW, within a bound.
        if (heldBytes + cost > heldLimit) {
          overflow = true;
        } else {
          if (openPending) {
            openPending = false;
            conn.write(Kind.OPEN, id, null);
          }
          held.add(new Held(kind, payload, cost));
          heldBytes += cost;
          return;
        }
      } else {
        sendCredit -= cost;
      }
    } finally {
      lock.unlock();
    }
    if (overflow) {
      String why = "a direct-mode engine ran more than " + heldLimit + " bytes ahead of the caller's flow-control window";
      onEnd(new DynamoException(ErrorType.ResourceExhausted, why));
      reset(why);
      throw new DynamoException(ErrorType.ResourceExhausted, "response stream " + id + ": " + why + " (serve it without direct mode)");
    }
    if (!io) {
      conn.outbound.awaitRoom(() -> localClosed || !conn.isUsable());
    }
    boolean announce;
    lock.lock();
    try {
      checkOpen();
      announce = openPending;
      openPending = false;
      if (announce) {
        conn.write(Kind.OPEN, id, null); // under the lock: no other frame of this stream can precede it
      }
    } finally {
      lock.unlock();
    }
    conn.write(kind, id, payload);
  }

  /** Sending ends with our close, the peer's END or RESET, or the connection. */
  private void checkOpen() {
    if (localClosed || !conn.isUsable() || endQueued) {
      throw new DynamoException(
          ErrorType.Disconnected,
          "response stream " + id + " to " + conn.channel().remoteAddress() + " closed" + (endError == null ? "" : ": " + endError.getMessage()));
    }
  }

  /** On the event loop: the peer returned credits; held frames go out first. */
  void addCredit(long credits) {
    boolean ended = false;
    lock.lock();
    try {
      boolean wasBlocked = sendCredit <= 0;
      sendCredit += credits;
      while (!held.isEmpty() && sendCredit > 0 && conn.isUsable()) {
        Held h = held.poll();
        heldBytes -= h.cost();
        sendCredit -= h.cost();
        conn.write(h.kind(), id, h.payload());
      }
      if (held.isEmpty() && endAfterHeld) {
        endAfterHeld = false;
        ended = true;
        conn.write(Kind.END, id, null);
      }
      if (wasBlocked && sendCredit > 0 && held.isEmpty()) {
        credited.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (ended) {
      conn.forget(this);
    }
  }

  // ---- receiving ----

  /**
   * On the event loop: one HEADER or DATA frame. Returns true when the reader may need waking
   * (the frame was queued), false when a listener took it or the stream was reset.
   */
  boolean onFrame(MuxFrame f) {
    TwoPartMessage m = f.kind() == Kind.HEADER ? TwoPartMessage.headerOnly(f.payload()) : TwoPartMessage.dataOnly(f.payload());
    long cost = MuxFrame.HEADER_SIZE + (long) f.payload().length;
    Listener l;
    lock.lock();
    try {
      if (localClosed || endQueued) {
        return false;
      }
      unreturned += cost;
      if (unreturned <= overdraftLimit && listener == null) {
        inbound.add(m);
        conn.queued(cost);
        return true;
      }
      l = listener;
    } finally {
      lock.unlock();
    }
    if (unreturned > overdraftLimit) {
      onEnd(new DynamoException(ErrorType.Disconnected, "the peer overran the stream's flow-control window"));
      reset("flow-control window overrun");
      return true;
    }
    l.frame(m);
    taken(cost);
    return false;
  }

  /** On the event loop: the peer reset the stream; its reader gets {@code error} after the frames before it. */
  void onReset(DynamoException error) {
    onEnd(error, true);
  }

  /** On the event loop: the peer ended its side (error == null) or the stream broke. */
  void onEnd(Throwable error) {
    onEnd(error, false);
  }

  private void onEnd(Throwable error, boolean reset) {
    Listener l;
    lock.lock();
    try {
      if (endQueued) {
        return;
      }
      endQueued = true;
      endError = error;
      peerReset = reset;
      held.clear();
      heldBytes = 0;
      endAfterHeld = false;
      credited.signalAll();
      l = listener;
      if (l == null) {
        inbound.add(END);
      } else {
        endSeen = true;
      }
    } finally {
      lock.unlock();
    }
    conn.forget(this);
    if (l != null) {
      l.end(error);
    }
  }

  /** On the event loop: marks this stream as having news for its reader; true the first time per burst. */
  boolean markTouched() {
    lock.lock();
    try {
      if (touched) {
        return false;
      }
      touched = true;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** On the event loop, once per read burst: wakes the reader if it is waiting. */
  void wakeReader() {
    lock.lock();
    try {
      touched = false;
      if (readerWaiting) {
        arrived.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public TwoPartMessage receive(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
    long nanos = unit.toNanos(timeout);
    Object o;
    lock.lock();
    try {
      while ((o = inbound.poll()) == null) {
        if (localClosed || (endSeen && inbound.isEmpty())) {
          return null;
        }
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
      if (o == END) {
        endSeen = true;
        if (peerReset && endError instanceof DynamoException e) {
          throw e; // the peer aborted the stream and said why
        }
        return null; // whether the end was clean is the protocol's to say (final marker, sentinel)
      }
    } finally {
      lock.unlock();
    }
    TwoPartMessage m = (TwoPartMessage) o;
    long cost = MuxFrame.HEADER_SIZE + (long) (m.hasHeader() ? m.header().length : m.data().length);
    conn.consumed(cost);
    taken(cost);
    return m;
  }

  /** The reader took {@code cost} bytes: return credits once half a window has been taken. */
  private void taken(long cost) {
    long give = 0;
    lock.lock();
    try {
      consumedSinceUpdate += cost;
      if (consumedSinceUpdate >= receiveWindow / 2 && !localClosed && !endQueued) {
        give = Math.min(consumedSinceUpdate, 0xFFFF_FFFFL);
        consumedSinceUpdate -= give;
        unreturned -= give;
      }
    } finally {
      lock.unlock();
    }
    if (give > 0) {
      conn.write(Kind.WINDOW, id, MuxFrame.window(id, (int) give).payload());
    }
  }

  @Override
  public boolean listen(Listener l) {
    List<TwoPartMessage> backlog = new ArrayList<>();
    boolean ended;
    Throwable error;
    lock.lock();
    try {
      Object o;
      ended = false;
      while ((o = inbound.poll()) != null) {
        if (o == END) {
          ended = true;
          break;
        }
        backlog.add((TwoPartMessage) o);
      }
      error = endError;
      listener = l;
      if (ended) {
        endSeen = true;
      }
    } finally {
      lock.unlock();
    }
    for (TwoPartMessage m : backlog) {
      long cost = MuxFrame.HEADER_SIZE + (long) (m.hasHeader() ? m.header().length : m.data().length);
      conn.consumed(cost);
      l.frame(m);
      taken(cost);
    }
    if (ended) {
      l.end(error);
    }
    return true;
  }

  // ---- closing ----

  /** Sends END after what this side already sent; later frames from the peer are dropped. Idempotent. */
  @Override
  public void close() {
    long queued = 0;
    boolean afterHeld;
    lock.lock();
    try {
      if (localClosed) {
        return;
      }
      localClosed = true;
      afterHeld = !held.isEmpty() && !endQueued;
      endAfterHeld = afterHeld;
      for (Object o : inbound) {
        if (o instanceof TwoPartMessage m) {
          queued += MuxFrame.HEADER_SIZE + (long) (m.hasHeader() ? m.header().length : m.data().length);
        }
      }
      inbound.clear();
      arrived.signalAll();
      credited.signalAll();
    } finally {
      lock.unlock();
    }
    conn.consumed(queued);
    if (afterHeld) {
      return; // stays known to the connection: WINDOW frames release what is held, then END
    }
    conn.forget(this);
    if (conn.isUsable() && !endQueued) {
      lock.lock();
      try {
        if (openPending) {
          openPending = false;
          conn.write(Kind.OPEN, id, null); // a stream closed before its first frame still opens, so the caller sees it end
        }
      } finally {
        lock.unlock();
      }
      conn.write(Kind.END, id, null);
    }
  }

  /** Aborts the stream: RESET to the peer, this side closed. */
  void reset(String reason) {
    lock.lock();
    try {
      localClosed = true;
      held.clear();
      heldBytes = 0;
      endAfterHeld = false;
      inbound.clear();
      arrived.signalAll();
      credited.signalAll();
    } finally {
      lock.unlock();
    }
    conn.forget(this);
    if (conn.isUsable()) {
      conn.write(Kind.RESET, id, reason.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public String toString() {
    return "MuxStream[" + id + " on " + conn.channel() + "]";
  }
}
