package dev.dynamo4j.network;

import dev.dynamo4j.wire.TwoPartMessage;

/**
 * One response-stream connection between a worker and a caller, carrying {@link TwoPartMessage}
 * frames both ways (data and the prologue from the worker, {@code stop}/{@code kill} from the
 * caller).
 *
 * <p>{@link #send} may block while the peer is slow (that is the back-pressure); {@link #receive}
 * blocks for the next frame. Both are meant for virtual threads. Each direction has one sender
 * and one receiver at a time.
 */
public interface FrameChannel extends AutoCloseable {
  /**
   * Sends one frame, blocking while the transport's buffer is full.
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
   */
  TwoPartMessage receive() throws InterruptedException;

  /** Closes this side; the peer's {@link #receive()} returns {@code null}. Idempotent. */
  @Override
  void close();
}
