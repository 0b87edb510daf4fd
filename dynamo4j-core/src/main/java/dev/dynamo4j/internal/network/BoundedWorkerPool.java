package dev.dynamo4j.internal.network;

import java.util.ArrayDeque;

/**
 * Runs accepted requests on virtual threads, at most {@code poolSize} at once, with up to {@code
 * queueSize} more waiting in arrival order. {@link #tryExecute} refuses work when both are full,
 * which the server turns into an overloaded ACK; nothing is ever queued without bound.
 */
final class BoundedWorkerPool {
  private final int poolSize;
  private final int queueSize;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private int running;

  public BoundedWorkerPool(int poolSize, int queueSize) {
    if (poolSize < 1 || queueSize < 0) {
      throw new IllegalArgumentException("poolSize must be >= 1 and queueSize >= 0");
    }
    this.poolSize = poolSize;
    this.queueSize = queueSize;
  }

  /** Starts or queues {@code task}; returns false when the pool and the queue are full. */
  public boolean tryExecute(Runnable task) {
    synchronized (this) {
      if (running < poolSize && queue.isEmpty()) {
        running++;
      } else if (queue.size() < queueSize) {
        queue.addLast(task);
        return true;
      } else {
        return false;
      }
    }
    start(task);
    return true;
  }

  private void start(Runnable task) {
    Thread.ofVirtual()
        .name("dynamo4j-handler")
        .start(
            () -> {
              Runnable next = task;
              while (next != null) {
                try {
                  next.run();
                } finally {
                  synchronized (this) {
                    next = queue.pollFirst();
                    if (next == null) {
                      running--;
                    }
                  }
                }
              }
            });
  }

  /** Requests running now. */
  public synchronized int running() {
    return running;
  }

  /** Requests waiting for a slot. */
  public synchronized int queued() {
    return queue.size();
  }
}
