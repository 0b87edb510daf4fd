package dev.dynamo4j.internal.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.StreamType;
import dev.dynamo4j.wire.TcpStreamConnectionInfo;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Response streams between runtimes of one JVM. Issues {@link ConnectionInfo} of transport
 * {@value #TRANSPORT} whose {@code info} has the shape of Dynamo's {@code tcp_server} info, with
 * this plane's id as the address.
 */
public final class InProcessResponsePlane implements ResponsePlane {
  public static final String TRANSPORT = "in_process";
  private static final Map<String, InProcessResponsePlane> PLANES = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final long maxMessageSize;
  private final CallHomeRegistry registry = new CallHomeRegistry();

  public InProcessResponsePlane(long maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
    PLANES.put(id, this);
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  @Override
  public PendingStream expect(String requestId, StreamType type) {
    return registry.register(
        requestId, type, r -> new ConnectionInfo(TRANSPORT, new TcpStreamConnectionInfo(id, r.subject().toString(), requestId, type).toJson()));
  }

  @Override
  public FrameChannel dial(ConnectionInfo info, String requestId) {
    if (!TRANSPORT.equals(info.transport())) {
      throw new DynamoException(ErrorType.CannotConnect, "cannot dial transport '" + info.transport() + "' in process");
    }
    TcpStreamConnectionInfo ti = TcpStreamConnectionInfo.forRequest(info, requestId);
    InProcessResponsePlane plane = PLANES.get(ti.address());
    CallHomeRegistry.Registration p = plane == null ? null : plane.registry.claim(ti.subject());
    if (p != null && p.type() != ti.streamType()) {
      throw new DynamoException(ErrorType.InvalidArgument, "stream " + ti.subject() + " is a " + p.type().wireName() + " stream, not " + ti.streamType().wireName());
    }
    if (p == null) {
      throw new DynamoException(ErrorType.CannotConnect, "no caller expects response stream " + ti.subject());
    }
    InProcessFrameChannel[] ends = InProcessFrameChannel.pair(maxMessageSize);
    if (!p.connect(ends[0])) {
      throw new DynamoException(ErrorType.CannotConnect, "caller stopped waiting for response stream " + ti.subject());
    }
    return ends[1];
  }

  @Override
  public void close() {
    PLANES.remove(id);
    registry.cancelAll(new DynamoException(ErrorType.Disconnected, "response plane closed"));
  }
}
