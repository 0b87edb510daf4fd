package dev.dynamo4j.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.TcpStreamConnectionInfo;
import dev.dynamo4j.wire.TcpStreamConnectionInfo.StreamType;
import dev.dynamo4j.wire.WireFormatException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

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
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

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
    String subject = UUID.randomUUID().toString();
    Pending p = new Pending(subject, requestId, type);
    pending.put(subject, p);
    return p;
  }

  @Override
  public FrameChannel dial(ConnectionInfo info, String requestId) {
    if (!TRANSPORT.equals(info.transport())) {
      throw new DynamoException(ErrorType.CannotConnect, "cannot dial transport '" + info.transport() + "' in process");
    }
    TcpStreamConnectionInfo ti;
    try {
      ti = TcpStreamConnectionInfo.fromJson(info.info());
    } catch (WireFormatException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "malformed connection info: " + e.getMessage(), e);
    }
    if (!ti.context().equals(requestId)) {
      throw new DynamoException(ErrorType.InvalidArgument, "connection info is for request " + ti.context() + ", not " + requestId);
    }
    InProcessResponsePlane plane = PLANES.get(ti.address());
    Pending p = plane == null ? null : plane.pending.remove(ti.subject());
    if (p != null && p.type != ti.streamType()) {
      throw new DynamoException(ErrorType.InvalidArgument, "stream " + ti.subject() + " is a " + p.type.wireName() + " stream, not " + ti.streamType().wireName());
    }
    if (p == null) {
      throw new DynamoException(ErrorType.CannotConnect, "no caller expects response stream " + ti.subject());
    }
    InProcessFrameChannel[] ends = InProcessFrameChannel.pair(maxMessageSize);
    if (!p.future.complete(ends[0])) {
      throw new DynamoException(ErrorType.CannotConnect, "caller stopped waiting for response stream " + ti.subject());
    }
    return ends[1];
  }

  @Override
  public void close() {
    PLANES.remove(id);
    for (Pending p : pending.values()) {
      p.cancel(new DynamoException(ErrorType.Disconnected, "response plane closed"));
    }
    pending.clear();
  }

  private final class Pending implements PendingStream {
    final String subject;
    final String requestId;
    final StreamType type;
    final CompletableFuture<FrameChannel> future = new CompletableFuture<>();

    Pending(String subject, String requestId, StreamType type) {
      this.subject = subject;
      this.requestId = requestId;
      this.type = type;
    }

    @Override
    public ConnectionInfo connectionInfo() {
      return new ConnectionInfo(TRANSPORT, new TcpStreamConnectionInfo(id, subject, requestId, type).toJson());
    }

    @Override
    public FrameChannel await() throws InterruptedException {
      try {
        return future.get();
      } catch (ExecutionException e) {
        throw DynamoException.wrap(e.getCause());
      }
    }

    @Override
    public void cancel(DynamoException reason) {
      pending.remove(subject, this);
      future.completeExceptionally(reason);
    }

    @Override
    public void close() {
      pending.remove(subject, this);
      if (!future.isDone()) {
        future.completeExceptionally(new DynamoException(ErrorType.Cancelled, "response stream withdrawn"));
      }
    }
  }
}
