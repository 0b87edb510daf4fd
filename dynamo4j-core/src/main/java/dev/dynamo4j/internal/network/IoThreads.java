package dev.dynamo4j.internal.network;

/**
 * Marks the threads a transport does its I/O on outside Netty (the ZMQ plane's ROUTER threads),
 * so that code which must never wait there knows where it runs: a direct-mode engine ({@link
 * RequestHandler#handleDirect}) runs on such a thread, and a {@link FrameChannel} send from it
 * holds frames beyond the peer's credit instead of waiting for credit, as from a Netty event
 * loop. A thread is marked for its whole life; virtual threads are never marked.
 */
public final class IoThreads {
  private static final ThreadLocal<Boolean> MARKED = new ThreadLocal<>();

  private IoThreads() {}

  /** Marks the calling thread as an I/O thread (for the rest of its life). */
  public static void markCurrent() {
    MARKED.set(Boolean.TRUE);
  }

  /** Whether the calling thread was marked with {@link #markCurrent}. */
  public static boolean isCurrent() {
    return MARKED.get() != null;
  }
}
