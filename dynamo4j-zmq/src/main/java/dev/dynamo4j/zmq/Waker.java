package dev.dynamo4j.zmq;

import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.ZMQException;
import zmq.ZError;
import zmq.util.Errno;

/**
 * Wakes a platform thread that waits inside a blocking JeroMQ receive, by interrupting it, and
 * only while it waits there: JeroMQ answers an interrupt in a receive with {@code EINTR}, but one
 * that lands while the thread sends or closes a socket could fail that call, so no interrupt
 * reaches the thread anywhere else.
 *
 * <p>Why not a poller: JeroMQ 0.6's {@code ZMQ_FD} stays readable long after a socket has been
 * drained (its mailbox writes a signal byte per command but reads them back only when it waits),
 * so any loop that sleeps in a selector over it, {@code ZMQ.Poller} included, spins; measured: a
 * poller used ~230 µs of CPU per message at 1,000 messages/s, a blocking receive ~30 µs, and the
 * spinning loops of two processes starved a 2-core machine (unary p99 8 ms). A blocking receive
 * waits in JeroMQ's own signaler, which does consume those bytes.
 *
 * <p>Protocol: the owner calls {@link #parking()}, looks once more for work, waits in a receive
 * with a timeout, and calls {@link #unparked(boolean)}; other threads hand work over and call
 * {@link #wake()}. Every hand-over is seen: either the owner sees the work before it waits, or the
 * waker sees it parked and interrupts.
 */
final class Waker {
  private static final int RUNNING = 0;
  private static final int PARKED = 1;
  private static final int WOKEN = 2;
  /** JeroMQ's per-thread errno (a static thread-local behind any instance). */
  private static final Errno ERRNO = new Errno();
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final Thread owner;

  Waker(Thread owner) {
    this.owner = owner;
  }

  /** Any thread, after handing work over. */
  void wake() {
    if (state.compareAndSet(PARKED, WOKEN)) {
      owner.interrupt();
    }
  }

  /** Owner: about to wait; look for work again after this, then wait. */
  void parking() {
    state.set(PARKED);
  }

  /**
   * Owner: whether the wait that just ended was cut by an interrupt, as JeroMQ reports it: an
   * {@code EINTR} exception, or (a receive that returns nothing) its per-thread errno.
   */
  static boolean interruptedWait(ZMQException e) {
    return e != null ? isInterrupt(e) : ERRNO.get() == ZError.EINTR;
  }

  /**
   * Owner: the wait is over. {@code interrupted} = JeroMQ saw the interrupt and took it ({@link
   * #interruptedWait}); it may have set the flag again after masking it around its pipe I/O, so
   * it is cleared. Otherwise, if a waker chose this thread, its interrupt is pending or about to
   * be (the flag is set first thing in {@code interrupt()}) and is taken here. Either way no
   * interrupt reaches a later call. JeroMQ's errno, which fails every later call while it says
   * {@code EINTR}, is reset.
   */
  void unparked(boolean interrupted) {
    if (ERRNO.get() == ZError.EINTR) {
      ERRNO.set(0);
    }
    if (state.compareAndSet(PARKED, RUNNING)) {
      return;
    }
    if (interrupted) {
      Thread.interrupted();
    } else {
      // the waker is between its state change and interrupt(): nanoseconds, unless it lost its CPU
      long deadline = System.nanoTime() + 10_000_000L;
      while (!Thread.interrupted() && System.nanoTime() - deadline < 0) {
        Thread.onSpinWait();
      }
    }
    state.set(RUNNING);
  }

  /** Whether {@code e} is JeroMQ's answer to an interrupt. */
  static boolean isInterrupt(ZMQException e) {
    return e.getErrorCode() == ZError.EINTR;
  }

  /** Whether {@code e} says the context is closing. */
  static boolean isTerminated(ZMQException e) {
    return e.getErrorCode() == ZError.ETERM;
  }
}
