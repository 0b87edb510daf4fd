package dev.dynamo4j.spi.discovery;

import java.time.Duration;

/**
 * A live view of a query: first {@code Added} for every record that matched when the watch
 * started, then every change. Events wait in a bounded queue; a watcher that does not keep up
 * slows the writer rather than losing events. Not thread-safe for several readers.
 */
public interface DiscoveryWatch extends AutoCloseable {
  /** Blocks for the next event; {@code null} once the watch is closed. */
  DiscoveryEvent next() throws InterruptedException;

  /** Waits at most {@code timeout}; {@code null} on timeout or when closed. */
  DiscoveryEvent poll(Duration timeout) throws InterruptedException;

  /** Ends the watch; a blocked {@link #next()} returns {@code null}. */
  @Override
  void close();
}
