package dev.dynamo4j.tcp;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's native epoll transport when it loads (Linux x86_64), else NIO. Set {@code
 * -Ddynamo4j.tcp.nio=true} to force NIO.
 */
final class Transports {
  private static final Logger log = LoggerFactory.getLogger(Transports.class);

  private Transports() {}

  static final boolean EPOLL = !Boolean.getBoolean("dynamo4j.tcp.nio") && Epoll.isAvailable();

  /**
   * Shuts {@code group} down after every event loop has run the tasks queued on it so far (the
   * writes and closes of streams that just ended), waiting at most {@code settle} for them. Netty
   * closes a loop's channels before it runs what is still queued on it, so shutting down at once
   * dropped the last frames of a stream a graceful close had just drained (its final marker and
   * sentinel were queued, the channel was closed under them).
   */
  static void shutdown(EventLoopGroup group, Duration settle) {
    long deadline = System.nanoTime() + settle.toNanos();
    List<Future<?>> barriers = new ArrayList<>();
    for (EventExecutor loop : group) {
      if (!loop.isShuttingDown()) {
        barriers.add(loop.submit(() -> {})); // runs after everything queued before it on that loop
      }
    }
    for (Future<?> b : barriers) {
      b.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    // bounded: a loop blocked by a user's engine (direct mode, an engine that waits) never
    // terminates; the plane is closed anyway and the loop's thread ends when the engine returns
    if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(TERMINATION_WAIT.toMillis())) {
      log.warn("an event loop did not stop within {} ms of its plane closing: it is still running a task (a direct-mode engine that blocks?);"
          + " closing without it", TERMINATION_WAIT.toMillis());
    }
  }

  /** How long closing a plane waits for its event loops to end. */
  static final Duration TERMINATION_WAIT = Duration.ofSeconds(5);

  static EventLoopGroup group(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  static Class<? extends SocketChannel> socket() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static Class<? extends ServerChannel> server() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  /**
   * Dials {@code hostPort} ({@code TCP_NODELAY}) with {@code init} setting up the pipeline, and
   * waits at most {@code timeout} (plus a second for the event loop) for the connection.
   *
   * @throws DynamoException {@code CannotConnect}: "{@code what} failed: <cause or timed out>"
   */
  static Channel connect(EventLoopGroup group, String hostPort, Duration timeout, Consumer<SocketChannel> init, String what)
      throws InterruptedException {
    return connect(group, hostPort, timeout, null, init, what);
  }

  /**
   * As {@link #connect(EventLoopGroup, String, Duration, Consumer, String)}, and with {@code tls}
   * (when not null) a TLS handshake first in the pipeline, waited for within {@code
   * DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS}: a failed handshake is {@code CannotConnect} "{@code what}
   * failed: TLS handshake with host:port: <cause in words>".
   */
  static Channel connect(EventLoopGroup group, String hostPort, Duration timeout, TcpTls.Client tls, Consumer<SocketChannel> init, String what)
      throws InterruptedException {
    InetSocketAddress target = Hosts.parse(hostPort);
    SslHandler[] ssl = new SslHandler[1];
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(socket())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ssl[0] = tls.handler(ch.alloc(), target.getHostString(), target.getPort());
                      ch.pipeline().addLast("tls", ssl[0]);
                    }
                    init.accept(ch);
                  }
                });
    ChannelFuture cf = b.connect(target.getHostString(), target.getPort());
    if (!cf.await(timeout.toMillis() + 1000) || !cf.isSuccess()) {
      cf.cancel(false);
      Throwable cause = cf.cause();
      throw new DynamoException(ErrorType.CannotConnect, what + " failed: " + (cause == null ? "timed out" : cause.getMessage()), cause);
    }
    if (tls != null) {
      Future<Channel> hs = ssl[0].handshakeFuture();
      if (!hs.await(tls.handshakeTimeout().toMillis() + 1000) || !hs.isSuccess()) {
        cf.channel().close();
        Throwable cause = hs.cause();
        throw new DynamoException(ErrorType.CannotConnect, what + " failed: TLS handshake with " + hostPort + " (checked as '" + tls.serverNameFor(target.getHostString()) + "'): "
            + (cause == null ? "timed out" : TcpTls.describe(cause, true)), cause);
      }
    }
    return cf.channel();
  }
}
