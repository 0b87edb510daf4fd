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
 * with a timeout, and calls {@link #unparked()}; other threads hand work over and call
 * {@link #wake()}. Every hand-over is seen: either the owner sees the work before it waits, or the
 * waker sees it parked and interrupts.
 */
final class Waker {
  private static final int RUNNING = 0;
  private static final int PARKED = 1;
  private static final int WAKING = 2;
  private static final int WOKEN = 3;
  /** JeroMQ's per-thread errno (a static thread-local behind any instance). */
  private static final Errno ERRNO = new Errno();
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final Thread owner;

  Waker(Thread owner) {
    this.owner = owner;
  }

  /** Any thread, after handing work over. */
  void wake() {
    if (state.compareAndSet(PARKED, WAKING)) {
      owner.interrupt();
      state.set(WOKEN);
    }
  }

  /** Owner: about to wait; look for work again after this, then wait. */
  void parking() {
    state.set(PARKED);
  }

  /**
   * Owner: the wait is over, however it ended (JeroMQ reports an interrupt as {@code EINTR}, or
   * as an empty receive, and may set the flag again after masking it around its pipe I/O). If a
   * waker chose this thread, its {@code interrupt()} has returned once the state is {@code
   * WOKEN}: the flag is cleared after that, so no interrupt reaches a later call.
   */
  void unparked() {
    // JeroMQ keeps errno per thread and a socket call fails with EINTR while it says EINTR (its
    // processCommands looks at the stale value): an interrupted wait must not fail the next send
    if (ERRNO.get() == ZError.EINTR) {
      ERRNO.set(0);
    }
    if (state.compareAndSet(PARKED, RUNNING)) {
      return;
    }
    for (int spins = 0; state.get() != WOKEN; spins++) {
      if (spins < 100) {
        Thread.onSpinWait(); // the waker is inside interrupt(): microseconds
      } else {
        Thread.yield();
      }
    }
    Thread.interrupted();
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
