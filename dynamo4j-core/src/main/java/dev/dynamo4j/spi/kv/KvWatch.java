package dev.dynamo4j.spi.kv;

import java.time.Duration;

/**
 * A watch of one bucket: first a {@link WatchEvent.Resync} with the bucket as it was when the
 * watch was established (possibly empty), then every change after it, with no gap. Events wait
 * in a bounded queue; a watcher that falls so far behind that the queue would overflow has the
 * queue dropped and receives a fresh {@code Resync} instead, so it never silently misses a change.
 *
 * <p>One reader at a time. {@link #close()} may be called from any thread.
 */
public interface KvWatch extends AutoCloseable {
  /** Blocks for the next event; {@code null} once the watch is closed or the store shut down. */
  WatchEvent next() throws InterruptedException;

  /** As {@link #next()} but gives up after {@code timeout}, returning {@code null}. */
  WatchEvent poll(Duration timeout) throws InterruptedException;

  @Override
  void close();
}
