package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.network.FrameChannel;
import dev.dynamo4j.network.PendingStream;
import dev.dynamo4j.network.ResponsePlane;
import dev.dynamo4j.wire.CallHomeHandshake;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.TcpStreamConnectionInfo;
import dev.dynamo4j.wire.TcpStreamConnectionInfo.StreamType;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamo's per-stream call-home response plane ({@code connection_info.transport =
 * "tcp_server"}).
 *
 * <p>Caller side: one listener per process on {@code DYN_TCP_RESPONSE_STREAM_HOST:PORT}, started
 * on first use. {@link #expect} registers a subject (UUID v4); a worker that connects must send
 * the header-only handshake {@code {"subject","stream_type":"response"|"request"}} (the type the
 * subject was registered with) within {@value
 * #HANDSHAKE_SECONDS} s, else the connection is dropped; an unknown subject is dropped too.
 *
 * <p>Worker side: {@link #dial} connects to the address in the caller's info (within {@code
 * DYN_TCP_CONNECT_TIMEOUT}), checks that the info is for this request and a response stream,
 * and sends the handshake.
 */
final class TcpResponsePlane implements ResponsePlane {
  private static final Logger log = LoggerFactory.getLogger(TcpResponsePlane.class);
  static final int HANDSHAKE_SECONDS = 10;

  private final EventLoopGroup group;
  private final Hosts.Choice host;
  private final int port;
  private final long maxMessageSize;
  private final Duration connectTimeout;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private Channel listener;
  private String advertised;

  TcpResponsePlane(EventLoopGroup group, Hosts.Choice host, int port, long maxMessageSize, Duration connectTimeout) {
    this.group = group;
    this.host = host;
    this.port = port;
    this.maxMessageSize = maxMessageSize;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public String transport() {
    return ConnectionInfo.TCP_SERVER;
  }

  private synchronized String start() {
    if (advertised != null) {
      return advertised;
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transports.server())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("decoder", new Codecs.TwoPartDecoder(maxMessageSize)).addLast("handshake", new HandshakeHandler());
                  }
                });
    try {
      listener = b.bind(host.bindHost(), port).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      throw new DynamoException(
          ErrorType.Unavailable,
          "cannot listen for response streams on " + Hosts.hostPort(host.bindHost(), port) + " (DYN_TCP_RESPONSE_STREAM_HOST/PORT): " + e.getMessage(), e);
    }
    advertised = Hosts.hostPort(host.advertiseHost(), ((InetSocketAddress) listener.localAddress()).getPort());
    log.info("response stream server listening on {} (advertised as {})", listener.localAddress(), advertised);
    return advertised;
  }

  @Override
  public PendingStream expect(String requestId, StreamType type) {
    String address = start();
    Pending p = new Pending(UUID.randomUUID().toString(), requestId, address, type);
    pending.put(p.subject, p);
    return p;
  }

  /** Reads the first frame of an accepted connection and hands the connection to its stream. */
  private final class HandshakeHandler extends SimpleChannelInboundHandler<TwoPartMessage> {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.executor().schedule(() -> {
        if (ctx.pipeline().get("handshake") == this && ctx.channel().isActive()) {
          log.warn("no call-home handshake from {} within {} s; closing", ctx.channel().remoteAddress(), HANDSHAKE_SECONDS);
          ctx.close();
        }
      }, HANDSHAKE_SECONDS, TimeUnit.SECONDS);
      ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TwoPartMessage frame) {
      CallHomeHandshake hs;
      try {
        hs = CallHomeHandshake.fromFrame(frame);
      } catch (WireFormatException e) {
        log.warn("bad call-home handshake from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
        ctx.close();
        return;
      }
      Pending p = pending.remove(hs.subject());
      if (p == null || hs.streamType() != p.type) {
        log.warn("call-home for unknown or unexpected stream {} from {}; closing", hs.subject(), ctx.channel().remoteAddress());
        ctx.close();
        return;
      }
      NettyFrameChannel fc = new NettyFrameChannel(ctx.channel(), maxMessageSize);
      ctx.pipeline().replace(this, "frames", fc);
      if (!p.future.complete(fc)) {
        ctx.close(); // the caller gave up meanwhile
      }
    }
  }

  @Override
  public FrameChannel dial(ConnectionInfo info, String requestId) throws InterruptedException {
    if (!ConnectionInfo.TCP_SERVER.equals(info.transport())) {
      throw new DynamoException(ErrorType.CannotConnect, "cannot call home over transport '" + info.transport() + "'");
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
    InetSocketAddress target = Hosts.parse(ti.address());
    NettyFrameChannel[] holder = new NettyFrameChannel[1];
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(Transports.socket())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    holder[0] = new NettyFrameChannel(ch, maxMessageSize);
                    ch.pipeline().addLast(new Codecs.TwoPartDecoder(maxMessageSize), holder[0]);
                  }
                });
    ChannelFuture cf = b.connect(target.getHostString(), target.getPort());
    if (!cf.await(connectTimeout.toMillis() + 1000) || !cf.isSuccess()) {
      cf.cancel(false);
      throw new DynamoException(ErrorType.CannotConnect, "cannot call home to " + ti.address() + ": " + (cf.cause() == null ? "timed out" : cf.cause().getMessage()), cf.cause());
    }
    NettyFrameChannel fc = holder[0];
    fc.send(new CallHomeHandshake(ti.subject(), ti.streamType()).toFrame());
    return fc;
  }

  @Override
  public void close() {
    for (Pending p : pending.values()) {
      p.cancel(new DynamoException(ErrorType.Disconnected, "response plane closed"));
    }
    pending.clear();
    synchronized (this) {
      if (listener != null) {
        listener.close().syncUninterruptibly();
      }
    }
  }

  private final class Pending implements PendingStream {
    final String subject;
    final String requestId;
    final String address;
    final StreamType type;
    final CompletableFuture<FrameChannel> future = new CompletableFuture<>();

    Pending(String subject, String requestId, String address, StreamType type) {
      this.subject = subject;
      this.requestId = requestId;
      this.address = address;
      this.type = type;
    }

    @Override
    public ConnectionInfo connectionInfo() {
      return new TcpStreamConnectionInfo(address, subject, requestId, type).toConnectionInfo();
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
      } else if (!future.isCompletedExceptionally()) {
        future.join().close();
      }
    }
  }
}
