package dev.dynamo4j.spi.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.wire.ConnectionInfo;
import java.time.Duration;

/**
 * A response stream the caller expects: the {@link ConnectionInfo} to put in the request, and
 * the connection once the worker has called home.
 */
public interface PendingStream extends AutoCloseable {
  ConnectionInfo connectionInfo();

  /**
   * Blocks until the worker has called home, at most {@code timeout}. On a timeout the
   * registration is withdrawn, so a worker calling home later is refused.
   *
   * @throws DynamoException {@code ResponseTimeout} when the worker did not call home in time;
   *     otherwise the reason given to {@link #cancel}, for example {@code Disconnected} when the
   *     worker was removed from discovery before it called home
   */
  FrameChannel await(Duration timeout) throws InterruptedException;

  /** Fails a pending {@link #await} with {@code reason}; no-op once connected. */
  void cancel(DynamoException reason);

  /** Withdraws the registration (a worker calling home later is refused), or closes the stream. */
  @Override
  void close();
}
