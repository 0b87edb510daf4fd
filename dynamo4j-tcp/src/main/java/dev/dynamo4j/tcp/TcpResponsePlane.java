package dev.dynamo4j.tcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.engine.RequestIds;
import dev.dynamo4j.internal.network.CallHomeRegistry;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.spi.config.TcpServerLimits;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.CallHomeHandshake;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.MuxFrame;
import dev.dynamo4j.wire.MuxHello;
import dev.dynamo4j.wire.StreamType;
import dev.dynamo4j.wire.TcpStreamConnectionInfo;
import dev.dynamo4j.wire.TwoPartMessage;
import dev.dynamo4j.wire.WireFormatException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.internal.ThreadExecutorMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamo's per-stream call-home response plane ({@code connection_info.transport =
 * "tcp_server"}), plus dynamo4j's multiplexed response path offered inside it.
 *
 * <p>Caller side: one listener per process on {@code DYN_TCP_RESPONSE_STREAM_HOST:PORT}, started
 * on first use. {@link #expect} registers a subject (random UUID v4). A connecting worker's first
 * frame must arrive within {@value #HANDSHAKE_SECONDS} s and is either Dynamo's call-home
 * handshake {@code {"subject","stream_type"}} (the connection then carries that one stream; an
 * unknown subject or type is dropped) or a {@link MuxHello} naming this plane's frontend id (the
 * connection then carries {@link MuxFrame}s for any number of streams, see {@link
 * MuxConnection}). With {@code DYN_TCP_RESPONSE_MUX} on (the default) the info this plane issues
 * offers the mux ({@link TcpStreamConnectionInfo#muxFrontendId}); Dynamo's workers ignore the
 * offer and call home.
 *
 * <p>Worker side: {@link #dial} checks that the info is for this request; when the caller offers
 * the mux and it is on here, the stream opens on one of up to {@code
 * DYN_TCP_RESPONSE_MUX_CONNECTIONS} persistent connections to that caller (the least busy; a new
 * one is dialled, within {@code DYN_TCP_CONNECT_TIMEOUT}, while the pool is not full and every
 * connection carries streams), else it connects and sends the call-home handshake. A mux
 * connection that has carried no stream for {@code DYN_TCP_RESPONSE_MUX_IDLE_SECS} (default 300;
 * checked every half of that, on its event loop) is closed by the worker, so a worker does not
 * hold connections to callers it no longer serves, nor the extra connections of a past burst;
 * a stream never opens on a connection being closed for this (see {@link MuxConnection}). Both
 * sides' mux and call-home sockets have TCP keep-alive on, so a peer that vanished without a
 * FIN is found by the operating system's keep-alive probes.
 */
final class TcpResponsePlane implements ResponsePlane {
  private static final Logger log = LoggerFactory.getLogger(TcpResponsePlane.class);
  static final int HANDSHAKE_SECONDS = 10;

  private final EventLoopGroup group;
  private final Hosts.Choice host;
  private final int port;
  private final long maxMessageSize;
  private final Duration connectTimeout;
  private final ResponseStreamOptions options;
  private final TcpTls.Server tlsServer;
  private final Codecs.PendingBudget budget;
  private final TcpTls.Client tlsClient;
  private final String frontendId = RequestIds.newId();
  private final CallHomeRegistry registry = new CallHomeRegistry();
  private final Map<String, MuxPool> muxPools = new ConcurrentHashMap<>();
  private final Duration muxIdle;
  private final AtomicLong idleCloses = new AtomicLong();
  private Channel listener;
  private String advertised;

  TcpResponsePlane(EventLoopGroup group, Hosts.Choice host, int port, long maxMessageSize, Duration connectTimeout, ResponseStreamOptions options, TcpTls tls,
      TcpServerLimits limits, Duration muxIdle) {
    this.muxIdle = muxIdle;
    this.budget = new Codecs.PendingBudget(limits.pendingBytes(), limits.frameTimeout());
    this.tlsServer = TcpTls.server(tls);
    this.tlsClient = TcpTls.client(tls);
    this.group = group;
    this.host = host;
    this.port = port;
    this.maxMessageSize = maxMessageSize;
    this.connectTimeout = connectTimeout;
    this.options = options;
  }

  /** Requests waiting for their worker to open a stream (for tests and metrics). */
  int pendingStreams() {
    return registry.size();
  }

  /** The listener's budget for bytes of unfinished frames from workers (DYN_TCP_MAX_PENDING_BYTES, DYN_TCP_FRAME_TIMEOUT_SECS). */
  Codecs.PendingBudget budget() {
    return budget;
  }

  /** Mux connections this plane has dialled, across callers. */
  int muxConnections() {
    return muxPools.values().stream().mapToInt(p -> p.conns.size()).sum();
  }

  /** Mux connections this plane closed because they carried no stream for {@code DYN_TCP_RESPONSE_MUX_IDLE_SECS}. */
  long muxIdleCloses() {
    return idleCloses.get();
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
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tlsServer != null) {
                      tlsServer.addTo(ch.pipeline(), "response-stream connection");
                    }
                    ch.pipeline().addLast("decoder", new Codecs.TwoPartDecoder(maxMessageSize, true).within(budget)).addLast("handshake", new HandshakeHandler());
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
    log.info("response stream server listening on {} (advertised as {}){}", listener.localAddress(), advertised, tlsServer == null ? "" : ", TLS");
    return advertised;
  }

  /** {@code host:port} of the response-stream listener, starting it if needed. */
  String address() {
    return start();
  }

  @Override
  public PendingStream expect(String requestId, StreamType type) {
    String address = start();
    String mux = options.mux() ? frontendId : null;
    return registry.register(requestId, type, r -> new TcpStreamConnectionInfo(address, r.subject().toString(), requestId, type, mux).toConnectionInfo());
  }

  /**
   * Reads the first frame of an accepted connection: a call-home handshake hands the connection
   * to its stream, a mux hello turns it into a {@link MuxConnection}.
   */
  private final class HandshakeHandler extends SimpleChannelInboundHandler<TwoPartMessage> {
    private ScheduledFuture<?> timer;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      timer = ctx.executor().schedule(() -> {
        if (ctx.channel().isActive()) {
          log.warn("no call-home handshake from {} within {} s; closing", ctx.channel().remoteAddress(), HANDSHAKE_SECONDS);
          ctx.close();
        }
      }, HANDSHAKE_SECONDS, TimeUnit.SECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (timer != null) {
        timer.cancel(false);
      }
      ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TwoPartMessage frame) {
      if (timer != null) {
        timer.cancel(false);
      }
      JsonNode json;
      try {
        if (!frame.isHeaderOnly()) {
          throw new WireFormatException("CallHomeHandshake", "handshake must be a header-only frame");
        }
        json = Json.parseObject("CallHomeHandshake", frame.header());
        if (MuxHello.isHello(json)) {
          acceptMux(ctx, MuxHello.fromJson(json));
          return;
        }
      } catch (WireFormatException e) {
        log.warn("bad call-home handshake from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
        ctx.close();
        return;
      }
      CallHomeHandshake hs;
      try {
        hs = CallHomeHandshake.fromJson(frame.header());
      } catch (WireFormatException e) {
        log.warn("bad call-home handshake from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
        ctx.close();
        return;
      }
      CallHomeRegistry.Registration p = registry.claim(hs.subject());
      if (p == null || hs.streamType() != p.type()) {
        log.warn("call-home for unknown or unexpected stream {} from {}; closing", hs.subject(), ctx.channel().remoteAddress());
        ctx.close();
        return;
      }
      NettyFrameChannel fc = new NettyFrameChannel(ctx.channel(), maxMessageSize);
      ctx.pipeline().replace(this, "frames", fc);
      if (!p.connect(fc)) {
        ctx.close(); // the caller gave up meanwhile
      }
    }

    private void acceptMux(ChannelHandlerContext ctx, MuxHello hello) {
      if (hello.version() != TcpStreamConnectionInfo.MUX_VERSION || !frontendId.equals(hello.frontendId())) {
        log.warn("mux hello from {} for version {} / frontend {} (this is version {} / {}); closing",
            ctx.channel().remoteAddress(), hello.version(), hello.frontendId(), TcpStreamConnectionInfo.MUX_VERSION, frontendId);
        ctx.close();
        return;
      }
      int sendWindow = (int) Math.min(Integer.MAX_VALUE, hello.window());
      MuxConnection conn = new MuxConnection(ctx.channel(), registry, options.streamWindowBytes(), sendWindow, maxMessageSize);
      ctx.pipeline().replace("decoder", "decoder", new Codecs.MuxDecoder(maxMessageSize).midConnection().within(budget));
      ctx.pipeline().replace(this, "mux", conn);
      conn.write(MuxFrame.Kind.ACCEPT, MuxFrame.NIL, MuxFrame.accept(options.streamWindowBytes()).payload());
      log.debug("mux connection from {} accepted", ctx.channel().remoteAddress());
    }
  }

  @Override
  public FrameChannel dial(ConnectionInfo info, String requestId) throws InterruptedException {
    TcpStreamConnectionInfo ti = parse(info, requestId);
    if (ti.muxFrontendId() != null && options.mux()) {
      UUID id = muxStreamId(ti);
      for (int attempt = 1; ; attempt++) {
        MuxConnection c = pool(ti).pick();
        try {
          return c.open(id, ti.streamType() == StreamType.RESPONSE);
        } catch (DynamoException e) {
          // closed (idle, or by the peer) between the pick and the open: pick again, a few times
          if (e.type() != ErrorType.Disconnected || attempt == 3) {
            throw e;
          }
        }
      }
    }
    return callHome(ti);
  }

  /**
   * A response stream on an established mux connection to the caller, opened without waiting;
   * null when that would wait (no connection yet: the one the next {@link #dial} opens is then
   * placed on the calling event loop, so later direct answers are written by the thread that
   * read their request) or when the caller wants a call-home.
   */
  @Override
  public FrameChannel dialNow(ConnectionInfo info, String requestId) {
    if (!options.mux() || !ConnectionInfo.TCP_SERVER.equals(info.transport())) {
      return null;
    }
    TcpStreamConnectionInfo ti = parse(info, requestId);
    if (ti.muxFrontendId() == null || ti.streamType() != StreamType.RESPONSE) {
      return null;
    }
    MuxPool pool = pool(ti);
    MuxConnection c = pool.leastBusy();
    if (c == null) {
      if (ThreadExecutorMap.currentExecutor() instanceof EventLoop loop) {
        pool.preferredLoop = loop;
      }
      return null;
    }
    try {
      return c.open(muxStreamId(ti), true);
    } catch (DynamoException e) {
      if (e.type() == ErrorType.Disconnected) {
        return null; // closed just now: dial() opens a new one
      }
      throw e;
    }
  }

  private static TcpStreamConnectionInfo parse(ConnectionInfo info, String requestId) {
    if (!ConnectionInfo.TCP_SERVER.equals(info.transport())) {
      throw new DynamoException(ErrorType.CannotConnect, "cannot call home over transport '" + info.transport() + "'");
    }
    return TcpStreamConnectionInfo.forRequest(info, requestId);
  }

  private static UUID muxStreamId(TcpStreamConnectionInfo ti) {
    try {
      return UUID.fromString(ti.subject());
    } catch (IllegalArgumentException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "connection info subject '" + ti.subject() + "' is not a UUID");
    }
  }

  private MuxPool pool(TcpStreamConnectionInfo ti) {
    String key = ti.address() + "|" + ti.muxFrontendId();
    return muxPools.computeIfAbsent(key, k -> new MuxPool(k, ti.address(), ti.muxFrontendId()));
  }

  /** The worker's persistent connections to one caller's response server. */
  private final class MuxPool {
    final String key;
    final String address;
    final String frontend;
    final List<MuxConnection> conns = new CopyOnWriteArrayList<>();
    final ReentrantLock connecting = new ReentrantLock();
    /** The event loop the next connection is placed on (set by a direct-mode request); else any. */
    volatile EventLoop preferredLoop;

    MuxPool(String key, String address, String frontend) {
      this.key = key;
      this.address = address;
      this.frontend = frontend;
    }

    MuxConnection leastBusy() {
      MuxConnection best = null;
      for (MuxConnection c : conns) {
        if (c.isUsable() && (best == null || c.activeStreams() < best.activeStreams())) {
          best = c;
        }
      }
      return best;
    }

    private boolean good(MuxConnection best) {
      return best != null && (best.activeStreams() == 0 || conns.size() >= options.muxConnections());
    }

    MuxConnection pick() throws InterruptedException {
      MuxConnection best = leastBusy();
      if (good(best)) {
        return best;
      }
      connecting.lockInterruptibly();
      try {
        conns.removeIf(c -> !c.isUsable());
        best = leastBusy();
        if (good(best)) {
          return best;
        }
        try {
          MuxConnection c = connect();
          conns.add(c);
          c.onClose(() -> {
            conns.remove(c);
            if (conns.isEmpty()) {
              muxPools.remove(key, this);
            }
          });
          return c;
        } catch (DynamoException e) {
          if (best != null) {
            log.debug("extra mux connection to {} failed ({}); using an existing one", address, e.getMessage());
            return best;
          }
          throw e;
        }
      } finally {
        connecting.unlock();
      }
    }

    /** Dials, sends the hello, and waits (connect timeout) for the caller's ACCEPT. */
    private MuxConnection connect() throws InterruptedException {
      CompletableFuture<MuxConnection> accepted = new CompletableFuture<>();
      long deadline = System.nanoTime() + connectTimeout.toNanos();
      EventLoop loop = preferredLoop;
      preferredLoop = null;
      Channel ch = Transports.connect(loop != null ? loop : group, address, connectTimeout, tlsClient,
          c -> c.pipeline().addLast("decoder", new Codecs.MuxDecoder(maxMessageSize)).addLast("accept", new AcceptWaiter(accepted)),
          "opening a response connection to " + address);
      ch.writeAndFlush(Unpooled.wrappedBuffer(new MuxHello(TcpStreamConnectionInfo.MUX_VERSION, frontend, options.streamWindowBytes()).toFrame().encode()));
      try {
        return accepted.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        ch.close();
        throw new DynamoException(
            ErrorType.CannotConnect,
            "response server at " + address + " did not accept a mux connection for frontend " + frontend + " within " + connectTimeout.toMillis() + " ms"
                + (e instanceof ExecutionException ee ? ": " + ee.getCause().getMessage() : ""));
      }
    }
  }

  /** Worker side, until the caller's ACCEPT: then becomes the connection's {@link MuxConnection}. */
  private final class AcceptWaiter extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<MuxConnection> accepted;

    AcceptWaiter(CompletableFuture<MuxConnection> accepted) {
      this.accepted = accepted;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof MuxFrame f) || f.kind() != MuxFrame.Kind.ACCEPT) {
        accepted.completeExceptionally(new DynamoException(ErrorType.CannotConnect, "expected ACCEPT, got " + msg));
        ctx.close();
        return;
      }
      int sendWindow = (int) Math.min(Integer.MAX_VALUE, f.credits());
      MuxConnection conn = new MuxConnection(ctx.channel(), null, options.streamWindowBytes(), sendWindow, maxMessageSize);
      ctx.pipeline().replace(this, "mux", conn);
      if (!muxIdle.isZero()) {
        long idle = muxIdle.toNanos();
        ScheduledFuture<?> reaper = ctx.executor().scheduleAtFixedRate(() -> {
          if (conn.retireIfIdle(idle)) {
            idleCloses.incrementAndGet();
            log.debug("closed the mux connection to {}: no stream for {} ms (DYN_TCP_RESPONSE_MUX_IDLE_SECS)", ctx.channel().remoteAddress(), muxIdle.toMillis());
          }
        }, idle / 2, idle / 2, TimeUnit.NANOSECONDS);
        ctx.channel().closeFuture().addListener(x -> reaper.cancel(false));
      }
      accepted.complete(conn);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      accepted.completeExceptionally(new DynamoException(ErrorType.CannotConnect, "connection closed before ACCEPT"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      accepted.completeExceptionally(cause);
      ctx.close();
    }
  }

  private FrameChannel callHome(TcpStreamConnectionInfo ti) throws InterruptedException {
    NettyFrameChannel[] holder = new NettyFrameChannel[1];
    Transports.connect(group, ti.address(), connectTimeout, tlsClient, ch -> {
      holder[0] = new NettyFrameChannel(ch, maxMessageSize);
      ch.pipeline().addLast(new Codecs.TwoPartDecoder(maxMessageSize), holder[0]);
    }, "calling home to " + ti.address());
    NettyFrameChannel fc = holder[0];
    fc.send(new CallHomeHandshake(ti.subject(), ti.streamType()).toFrame());
    return fc;
  }

  @Override
  public void close() {
    registry.cancelAll(new DynamoException(ErrorType.Disconnected, "response plane closed"));
    for (MuxPool p : muxPools.values()) {
      for (MuxConnection c : p.conns) {
        c.close();
      }
    }
    muxPools.clear();
    synchronized (this) {
      if (listener != null) {
        listener.close().syncUninterruptibly();
      }
    }
  }
}
