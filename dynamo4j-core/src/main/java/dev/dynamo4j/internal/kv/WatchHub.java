package dev.dynamo4j.internal.kv;

import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.WatchEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Fans the changes of one bucket out to its watchers. The owner publishes while holding {@code
 * lock}, the same lock under which it changes its data, so a snapshot taken under it and the
 * events published after it have no gap and no overlap.
 *
 * <p>Each watcher buffers at most {@code capacity} events. Publishing never blocks: a watcher
 * whose buffer is full has it dropped and is marked lagged; its next read returns a fresh {@code
 * Resync} taken at that moment (so it gets the latest values, never stale ones) and events
 * continue from there.
 */
final class WatchHub {
  private final Object lock;
  private final Supplier<Map<String, byte[]>> snapshot;
  private final int capacity;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

  /**
   * @param lock the owner's data lock
   * @param snapshot the bucket's current entries; called with {@code lock} held
   */
  WatchHub(Object lock, Supplier<Map<String, byte[]>> snapshot, int capacity) {
    this.lock = lock;
    this.snapshot = snapshot;
    this.capacity = capacity;
  }

  /** Delivers an event to every watcher; the caller holds the owner's lock. */
  void publish(WatchEvent e) {
    for (Watcher w : watchers) {
      w.offer(e);
    }
  }

  /**
   * Makes every watcher's next read a fresh {@code Resync} (its buffered events are dropped): for
   * a backend that lost track of changes, so watchers start again from the current contents
   * rather than miss anything. The caller holds the owner's lock.
   */
  void resyncAll() {
    for (Watcher w : watchers) {
      w.markLagged();
    }
  }

  boolean hasWatchers() {
    return !watchers.isEmpty();
  }

  KvWatch open() {
    Watcher w = new Watcher();
    synchronized (lock) {
      w.offer(new WatchEvent.Resync(snapshot.get()));
      watchers.add(w);
    }
    return w;
  }

  /** Ends every watch (store shut down). */
  void closeAll() {
    for (Watcher w : watchers) {
      w.close();
    }
  }

  private final class Watcher implements KvWatch {
    private final ReentrantLock wlock = new ReentrantLock();
    private final Condition ready = wlock.newCondition();
    private final ArrayDeque<WatchEvent> queue = new ArrayDeque<>();
    private boolean lagged;
    private boolean closed;

    void offer(WatchEvent e) {
      wlock.lock();
      try {
        if (closed) {
          return;
        }
        if (queue.size() >= capacity) {
          queue.clear();
          lagged = true;
        } else {
          queue.addLast(e);
        }
        ready.signal();
      } finally {
        wlock.unlock();
      }
    }

    void markLagged() {
      wlock.lock();
      try {
        if (!closed) {
          queue.clear();
          lagged = true;
          ready.signal();
        }
      } finally {
        wlock.unlock();
      }
    }

    @Override
    public WatchEvent next() throws InterruptedException {
      return poll(null);
    }

    @Override
    public WatchEvent poll(Duration timeout) throws InterruptedException {
      long nanos = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
      boolean resync;
      wlock.lock();
      try {
        while (queue.isEmpty() && !lagged && !closed) {
          if (timeout == null) {
            ready.await();
          } else {
            if (nanos <= 0) {
              return null;
            }
            nanos = ready.awaitNanos(nanos);
          }
        }
        if (closed) {
          return null;
        }
        resync = lagged;
        if (!resync) {
          return queue.pollFirst();
        }
      } finally {
        wlock.unlock();
      }
      // Lagged: take a fresh snapshot under the owner's lock (never holding wlock while taking it).
      synchronized (lock) {
        wlock.lock();
        try {
          queue.clear();
          lagged = false;
          return new WatchEvent.Resync(snapshot.get());
        } finally {
          wlock.unlock();
        }
      }
    }

    @Override
    public void close() {
      wlock.lock();
      try {
        closed = true;
        queue.clear();
        ready.signalAll();
      } finally {
        wlock.unlock();
      }
      watchers.remove(this);
    }
  }

}
