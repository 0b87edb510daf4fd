package dev.dynamo4j.zmq;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One response (or request) stream carried over the ZMQ request plane's own sockets (the
 * worker's ROUTER and the caller's DEALER), as a {@link FrameChannel}. See {@link
 * ZmqResponsePlane} for the messages.
 *
 * <p>Flow control, per stream and direction, as on the TCP mux: a frame costs {@value #OVERHEAD}
 * plus its encoded size in credits; the sender starts with the receiver's window and may send
 * while its credit is positive (one frame may overdraw it), then waits in {@link #send} until a
 * {@code CREDIT} message returns some. The receiver returns what its reader has taken in chunks
 * of at least half the window, so a unary answer costs no {@code CREDIT} at all. A peer that
 * sends more than the window plus one maximal frame beyond what was returned has the stream
 * reset. So a stream buffers at most one window plus one frame on either side.
 *
 * <p>A sender waiting for credit looks, every {@value #PROBE_MS} ms, whether the peer is still
 * there (a {@code PING}: a worker's ROUTER finds a caller that is gone; a peer that no longer knows
 * the stream answers {@code RESET}), so the wait ends when the peer dies.
 *
 * <p>Threads: {@link #send}, {@link #receive} and {@link #close} are called by the stream's users
 * (virtual threads); the {@code on*} methods by the thread that owns the socket, never blocking.
 * An {@code END} from the peer means it closed the stream: reading then returns {@code null} and
 * sending fails {@code Disconnected}, as when a TCP peer closes its socket; a {@code RESET} makes
 * reading fail {@code Disconnected} with the peer's reason, after the frames that came before it.
 */
final class ZmqStream implements FrameChannel {
  /** Credits a frame costs beyond its encoded bytes (the two message frames' overhead). */
  static final int OVERHEAD = 24;
  /** How often a sender waiting for credit checks that the peer is still there. */
  static final long PROBE_MS = 1000;

  /** Where a stream's messages go: the queue of the thread that owns the socket. */
  interface Link {
    /** Queues one message; false when the link is gone (the message is dropped). */
    boolean send(byte kind, UUID stream, byte[] body);
  }

  private static final Object END = new Object();

  private record In(TwoPartMessage frame, long cost) {}

  final UUID id;
  private volatile Link link;
  private final int receiveWindow;
  private final long maxFrame;
  private final String peer;
  private final Runnable unregister;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final Condition credited = lock.newCondition();
  private final ArrayDeque<Object> inbound = new ArrayDeque<>();
  // guarded by lock
  private long sendCredit;
  private long outstanding; // received and not yet returned
  private long consumed; // taken by the reader and not yet returned
  private boolean endQueued;
  /** Why sending fails: the peer closed, reset or went away, or this side closed. */
  private DynamoException broken;
  /** Set when the peer reset the stream: the reader gets it after the frames before it. */
  private DynamoException resetByPeer;
  private volatile boolean localClosed;

  /**
   * @param link null on the caller's side until the worker's {@code OPEN} arrives ({@link #opened})
   * @param peer who is at the other end, for error texts
   * @param unregister takes the stream out of its plane's table (called once, on close or reset)
   */
  ZmqStream(UUID id, Link link, int receiveWindow, long sendWindow, long maxFrame, String peer, Runnable unregister) {
    this.id = id;
    this.link = link;
    this.receiveWindow = receiveWindow;
    this.sendCredit = sendWindow;
    this.maxFrame = maxFrame;
    this.peer = peer;
    this.unregister = unregister;
  }

  /** Caller side, socket thread: the worker opened the stream through {@code via}. */
  void opened(Link via, long window) {
    lock.lock();
    try {
      this.link = via;
      this.sendCredit = window;
    } finally {
      lock.unlock();
    }
  }

  Link link() {
    return link;
  }

  // ---- users' side ----

  @Override
  public void send(TwoPartMessage frame) throws InterruptedException {
    byte[] bytes = frame.encode();
    if (bytes.length > maxFrame) {
      throw new WireFormatException("TwoPartMessage", "message too large: " + bytes.length + " bytes (max: " + maxFrame + " bytes)");
    }
    long cost = OVERHEAD + (long) bytes.length;
    lock.lock();
    try {
      while (true) {
        if (broken != null) {
          throw new DynamoException(ErrorType.Disconnected, broken.getMessage());
        }
        if (sendCredit > 0) {
          break;
        }
        // ends: credit arrives, or the stream breaks (END/RESET, a lost connection, a ping that
        // finds the peer gone, close); a live peer that never reads holds the sender here, which
        // is the back-pressure this channel promises (FrameChannel.send)
        if (!credited.await(PROBE_MS, TimeUnit.MILLISECONDS) && broken == null) {
          link.send(ZmqResponsePlane.PING, id, new byte[0]); // a gone peer fails the stream: see the class comment
        }
      }
      sendCredit -= cost;
    } finally {
      lock.unlock();
    }
    if (!link.send(ZmqResponsePlane.FRAME, id, bytes)) {
      DynamoException gone = new DynamoException(ErrorType.Disconnected, "the ZMQ connection to " + peer + " is closed");
      linkLost(gone.getMessage());
      throw gone;
    }
  }

  @Override
  public TwoPartMessage receive(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
    long credit = 0;
    TwoPartMessage frame;
    lock.lock();
    try {
      long left = unit.toNanos(timeout);
      while (inbound.isEmpty()) {
        if (left <= 0) {
          throw new TimeoutException("no frame within " + unit.toMillis(timeout) + " ms");
        }
        left = arrived.awaitNanos(left);
      }
      Object o = inbound.peek();
      if (o == END) {
        if (resetByPeer != null) {
          throw new DynamoException(ErrorType.Disconnected, resetByPeer.getMessage());
        }
        return null; // END stays queued: every later read ends too
      }
      inbound.poll();
      In in = (In) o;
      frame = in.frame();
      consumed += in.cost();
      outstanding -= in.cost();
      if (consumed >= receiveWindow / 2 && !endQueued) {
        credit = consumed;
        consumed = 0;
      }
    } finally {
      lock.unlock();
    }
    if (credit > 0) {
      link.send(ZmqResponsePlane.CREDIT, id, ByteBuffer.allocate(8).putLong(credit).array());
    }
    return frame;
  }

  /** Sends {@code END} (after every frame this side sent: same queue, same order) and ends reading. Idempotent. */
  @Override
  public void close() {
    boolean sendEnd;
    lock.lock();
    try {
      if (localClosed) {
        return;
      }
      localClosed = true;
      sendEnd = broken == null;
      if (broken == null) {
        broken = new DynamoException(ErrorType.Disconnected, "the stream is closed");
      }
      endLocked();
    } finally {
      lock.unlock();
    }
    Link l = link;
    if (sendEnd && l != null) {
      l.send(ZmqResponsePlane.END, id, new byte[0]);
    }
    unregister.run();
  }

  // ---- socket thread's side ----

  /** One {@code FRAME} from the peer. */
  void onFrame(byte[] body) {
    long cost = OVERHEAD + (long) body.length;
    String violation = null;
    lock.lock();
    try {
      if (endQueued) {
        return; // closed or ended here: the peer learns it from END or RESET
      }
      outstanding += cost;
      if (outstanding > receiveWindow + maxFrame + OVERHEAD) {
        violation = "flow control: " + peer + " sent " + outstanding + " bytes beyond the credit returned (window " + receiveWindow + ")";
      } else {
        TwoPartMessage frame;
        try {
          frame = TwoPartMessage.decode(body, maxFrame);
        } catch (WireFormatException e) {
          frame = null;
          violation = "a frame from " + peer + " that is not a two-part message: " + e.getMessage();
        }
        if (frame != null) {
          inbound.add(new In(frame, cost));
          arrived.signal();
        }
      }
    } finally {
      lock.unlock();
    }
    if (violation != null) {
      reset(violation);
    }
  }

  /** {@code CREDIT} from the peer. */
  void onCredit(byte[] body) {
    if (body.length != 8) {
      reset("a CREDIT message of " + body.length + " bytes from " + peer + " (expected 8)");
      return;
    }
    long n = ByteBuffer.wrap(body).getLong();
    if (n <= 0) {
      reset("a CREDIT of " + n + " from " + peer);
      return;
    }
    lock.lock();
    try {
      sendCredit = Math.min(sendCredit + n, Long.MAX_VALUE / 4);
      credited.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** {@code END}: the peer closed the stream. */
  void onEnd() {
    end(new DynamoException(ErrorType.Disconnected, peer + " closed the stream"), null);
  }

  /** {@code RESET}: the peer aborted the stream and said why. */
  void onReset(byte[] body) {
    String why = new String(body, StandardCharsets.UTF_8);
    DynamoException e = new DynamoException(ErrorType.Disconnected, "the stream was reset by " + peer + ": " + why);
    end(e, e);
  }

  /** The connection under the stream is gone ({@code why}): reading ends, sending fails. */
  void linkLost(String why) {
    end(new DynamoException(ErrorType.Disconnected, why), null);
  }

  /** Aborts the stream: the peer gets {@code RESET} with {@code why}, this side's reader a {@code Disconnected}. */
  void reset(String why) {
    DynamoException e = new DynamoException(ErrorType.Disconnected, why);
    boolean first;
    lock.lock();
    try {
      first = broken == null;
    } finally {
      lock.unlock();
    }
    end(e, e);
    Link l = link;
    if (first && l != null) {
      l.send(ZmqResponsePlane.RESET, id, why.getBytes(StandardCharsets.UTF_8));
    }
  }

  private void end(DynamoException why, DynamoException forReader) {
    lock.lock();
    try {
      if (broken == null) {
        broken = why;
      }
      if (forReader != null && !endQueued) {
        resetByPeer = forReader;
      }
      endLocked();
    } finally {
      lock.unlock();
    }
    unregister.run();
  }

  private void endLocked() {
    if (!endQueued) {
      endQueued = true;
      inbound.add(END);
    }
    arrived.signalAll();
    credited.signalAll();
  }

  @Override
  public String toString() {
    return "ZmqStream[" + id + " with " + peer + "]";
  }
}
