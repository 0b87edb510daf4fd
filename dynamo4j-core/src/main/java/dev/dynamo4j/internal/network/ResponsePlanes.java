package dev.dynamo4j.internal.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.ConnectionInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The response planes a worker can dial, chosen by {@code connection_info.transport}. */
public final class ResponsePlanes {
  private final Map<String, ResponsePlane> byTransport = new ConcurrentHashMap<>();

  public void add(ResponsePlane plane) {
    for (String t : plane.transports()) {
      byTransport.putIfAbsent(t, plane);
    }
  }

  /**
   * Dials the caller named in {@code info}.
   *
   * @throws DynamoException {@code CannotConnect} when no plane speaks that transport or the dial
   *     fails
   */
  public FrameChannel dial(ConnectionInfo info, String requestId) throws InterruptedException {
    ResponsePlane plane = byTransport.get(info.transport());
    if (plane == null) {
      throw new DynamoException(
          ErrorType.CannotConnect,
          "no response plane for transport '" + info.transport() + "' (have " + byTransport.keySet() + ")");
    }
    return plane.dial(info, requestId);
  }

  /** {@link ResponsePlane#dialNow} of the plane for {@code info}'s transport; null when none or it would wait. */
  public FrameChannel dialNow(ConnectionInfo info, String requestId) {
    ResponsePlane plane = byTransport.get(info.transport());
    return plane == null ? null : plane.dialNow(info, requestId);
  }
}
