package dev.dynamo4j.spi.network;

import dev.dynamo4j.wire.TwoPartMessage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One response-stream connection between a worker and a caller, carrying {@link TwoPartMessage}
 * frames both ways (data and the prologue from the worker, {@code stop}/{@code kill} from the
 * caller). On a call-home transport it is a socket of its own; on a multiplexed one, one stream
 * of a shared connection.
 *
 * <p>{@link #send} may block while the peer is slow (that is the back-pressure); {@link #receive}
 * blocks for the next frame. Both are meant for virtual threads. Each direction has one sender
 * and one receiver at a time. Instead of receiving, a side may {@link #listen} for frames, which
 * are then delivered on the transport's I/O thread.
 */
public interface FrameChannel extends AutoCloseable {
  /**
   * Sends one frame, blocking while the transport's buffer (or the stream's flow-control window)
   * is full. Frames sent in a burst are written and flushed together.
   *
   * @throws dev.dynamo4j.error.DynamoException of type {@code Disconnected} when the connection is
   *     closed
   */
  void send(TwoPartMessage frame) throws InterruptedException;

  /**
   * Blocks for the next frame; returns {@code null} once the peer closed its side or the
   * connection broke (the protocol, not the transport, says whether that was clean).
   *
   * @throws dev.dynamo4j.wire.WireFormatException when the peer sent bytes that are not a frame;
   *     the connection is closed
   * @throws dev.dynamo4j.error.DynamoException of type {@code Disconnected} when the peer aborted
   *     the stream and said why (a multiplexed stream's RESET), after the frames sent before it
   */
  default TwoPartMessage receive() throws InterruptedException {
    try {
      return receive(Long.MAX_VALUE, TimeUnit.NANOSECONDS); // ends: every transport queues an end when the connection closes
    } catch (TimeoutException e) {
      throw new AssertionError("no timeout was set", e);
    }
  }

  /**
   * As {@link #receive()}, waiting at most {@code timeout}.
   *
   * @throws TimeoutException when no frame and no end arrived in time; the channel stays usable
   */
  TwoPartMessage receive(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException;

  /**
   * Switches this side to push delivery: every later frame, and then the end of the stream, go
   * to {@code listener} on the transport's I/O thread (which must not block in it) instead of
   * to {@link #receive}. Frames already queued are delivered first, on the calling thread.
   * Returns false, changing nothing, when the transport only supports {@link #receive}.
   */
  default boolean listen(Listener listener) {
    return false;
  }

  /** Closes this side; the peer's {@link #receive()} returns {@code null}. Idempotent. */
  @Override
  void close();

  /** Push delivery of inbound frames; see {@link #listen}. */
  interface Listener {
    /** One inbound frame. Runs on an I/O thread: quick, never blocking. */
    void frame(TwoPartMessage frame);

    /**
     * The stream ended: the peer closed it or the connection broke ({@code error} says why, or is
     * null for a clean end). Called at most once, after the last {@link #frame}.
     */
    void end(Throwable error);
  }
}
