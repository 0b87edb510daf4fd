package dev.dynamo4j.spi.network;

import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.StreamType;
import java.util.Set;

/**
 * Where response streams travel: the caller registers a {@link PendingStream} and sends its
 * {@link ConnectionInfo}; the worker {@link #dial dials} it ("calls home").
 */
public interface ResponsePlane extends AutoCloseable {
  /** The {@code connection_info.transport} this plane issues and dials, e.g. {@code tcp_server}. */
  String transport();

  /**
   * Every {@code connection_info.transport} this plane {@link #dial dials}: {@link #transport()}
   * unless the plane answers on several (the ZMQ plane answers on its own path and on TCP).
   */
  default Set<String> transports() {
    return Set.of(transport());
  }

  /** Caller side: registers the response stream of request {@code requestId}. */
  default PendingStream expect(String requestId) {
    return expect(requestId, StreamType.RESPONSE);
  }

  /**
   * Caller side: registers a stream of request {@code requestId}; {@code REQUEST} is the input
   * stream of a bidirectional request, which the worker dials and the caller writes to.
   */
  PendingStream expect(String requestId, StreamType type);

  /**
   * Worker side: connects to the caller named in {@code info} for request {@code requestId}
   * (either stream type; the handshake carries the type the info names).
   *
   * @throws dev.dynamo4j.error.DynamoException {@code CannotConnect} when the caller is not
   *     reachable or does not expect this stream; {@code InvalidArgument} when the info is
   *     malformed or belongs to another request
   */
  FrameChannel dial(ConnectionInfo info, String requestId) throws InterruptedException;

  /**
   * Worker side, for a request served in direct mode on an I/O thread: the stream {@link #dial}
   * would return, when the plane can open it without waiting (an established multiplexed
   * connection), or null when opening it would wait (dialling, a handshake), in which case the
   * caller dials from a virtual thread instead. Sends on the returned channel made from an I/O
   * thread never wait either (see the plane's documentation for how much they may hold).
   *
   * @throws dev.dynamo4j.error.DynamoException as {@link #dial}, for info it can tell is bad
   */
  default FrameChannel dialNow(ConnectionInfo info, String requestId) {
    return null;
  }

  @Override
  void close();
}
