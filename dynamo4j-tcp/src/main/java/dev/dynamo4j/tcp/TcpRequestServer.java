package dev.dynamo4j.tcp;

import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.RouteTable;
import dev.dynamo4j.spi.config.TcpServerLimits;
import dev.dynamo4j.spi.network.RequestHandler;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.wire.TcpAck;
import dev.dynamo4j.wire.TcpRequestFrame;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one TCP request server, shared by every endpoint it serves (Dynamo's shared TCP
 * endpoint). Listens on {@code DYN_TCP_RPC_HOST:DYN_TCP_RPC_PORT} (port 0: chosen by the OS and
 * advertised as bound), started by the first {@link #register}.
 *
 * <p>Event-loop threads only frame and route: each request is admitted into the {@link
 * RouteTable}'s bounded pool and answered with one ACK, written in arrival order and flushed once
 * per read burst. Handlers run on virtual threads. A malformed or oversized frame gets a {@code
 * Read error: ...} ACK and closes that connection only.
 */
final class TcpRequestServer implements RequestServer {
  private static final Logger log = LoggerFactory.getLogger(TcpRequestServer.class);

  private final EventLoopGroup group;
  private final RouteTable routes;
  private final Hosts.Choice host;
  private final int port;
  private final long maxMessageSize;
  private final TcpServerLimits limits;
  private final Codecs.PendingBudget budget;
  private final TcpTls.Server tls;
  private Channel listener;
  private String advertised;

  TcpRequestServer(EventLoopGroup group, RouteTable routes, Hosts.Choice host, int port, long maxMessageSize, TcpServerLimits limits, TcpTls.Server tls) {
    this.tls = tls;
    this.group = group;
    this.routes = routes;
    this.host = host;
    this.port = port;
    this.maxMessageSize = maxMessageSize;
    this.limits = limits;
    this.budget = new Codecs.PendingBudget(limits.pendingBytes(), limits.frameTimeout());
  }

  /** Bytes of unfinished request frames held now, across connections. */
  long pendingBytes() {
    return budget.held();
  }

  /** Connections closed for passing the pending-bytes budget. */
  long budgetClosures() {
    return budget.refused();
  }

  /** Connections closed because a request frame did not arrive within the frame timeout. */
  long frameTimeouts() {
    return budget.timedOut();
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
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    open.incrementAndGet();
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    if (tls != null) {
                      tls.addTo(ch.pipeline(), "request connection");
                    }
                    if (!limits.idleTimeout().isZero()) {
                      ch.pipeline().addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS) {
                        @Override
                        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                          log.info("closing request connection {}: no traffic for {} s (DYN_TCP_IDLE_TIMEOUT_SECS)", ctx.channel().remoteAddress(), limits.idleTimeout().toSeconds());
                          ctx.close();
                        }
                      });
                    }
                    ch.pipeline().addLast(new Codecs.RequestDecoder(maxMessageSize).within(budget), new RequestRouter());
                  }
                });
    try {
      listener = b.bind(host.bindHost(), port).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      throw new DynamoException(
          ErrorType.Unavailable, "cannot listen on " + Hosts.hostPort(host.bindHost(), port) + " (DYN_TCP_RPC_HOST/PORT): " + e.getMessage(), e);
    }
    int bound = ((InetSocketAddress) listener.localAddress()).getPort();
    advertised = Hosts.hostPort(host.advertiseHost(), bound);
    log.info("TCP request server listening on {} (advertised as {}){}", listener.localAddress(), advertised, tls == null ? "" : ", TLS");
    return advertised;
  }

  /** {@code host:port} the server advertises, starting it if needed. */
  String address() {
    return start();
  }

  @Override
  public TransportType register(String routingKey, RequestHandler handler) {
    String addr = start();
    routes.register(routingKey, handler);
    return new TransportType.Tcp(addr + "/" + routingKey);
  }

  private final AtomicInteger open = new AtomicInteger();

  /** Request connections open now. */
  int openConnections() {
    return open.get();
  }

  @Override
  public int unregister(String routingKey, Duration drain) throws InterruptedException {
    return routes.unregister(routingKey, drain);
  }

  synchronized void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
  }

  /** Routes each decoded frame and answers with its ACK; runs on the event loop. */
  private final class RequestRouter extends SimpleChannelInboundHandler<TcpRequestFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TcpRequestFrame frame) {
      TcpAck ack = frame.pathValid() ? routes.accept(frame.path(), frame.headers(), frame.payload(), true).toTcpAck() : TcpAck.ofText("Invalid endpoint path");
      ctx.write(Codecs.ack(ack));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.warn("request connection {} failed: {}", ctx.channel().remoteAddress(), TcpTls.isTls(cause) ? TcpTls.describe(cause, false) : cause.toString());
      ctx.close();
    }
  }
}
