package dev.dynamo4j.tcp;

import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.RequestClient;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.wire.RoutingKey;
import dev.dynamo4j.wire.TcpAck;
import dev.dynamo4j.wire.TcpRequestFrame;
import dev.dynamo4j.wire.WireFormatException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends request frames and waits for their ACKs over pooled, pipelined connections: up to {@code
 * DYN_TCP_POOL_SIZE} per worker address, a new one opened only when every open one has requests
 * waiting. There is no request id at this layer: each connection keeps its waiting requests in
 * FIFO order and every ACK completes the oldest. Frames are written on the event loop in the
 * order they were queued.
 *
 * <p>Failures: a connection that cannot be opened within {@code DYN_TCP_CONNECT_TIMEOUT} or that
 * closes with requests waiting is {@code CannotConnect}; no ACK within {@code
 * DYN_TCP_REQUEST_TIMEOUT} is {@code CannotConnect} too, and closes that connection (failing the
 * requests behind it on the same connection: their ACKs would come after the missing one); a frame over {@code
 * DYN_TCP_MAX_MESSAGE_SIZE} is {@code InvalidArgument}.
 */
final class TcpRequestClient implements RequestClient {
  private final EventLoopGroup group;
  private final int poolSize;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final long maxMessageSize;
  private final TcpTls.Client tls;
  private final Map<String, List<Conn>> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  TcpRequestClient(EventLoopGroup group, int poolSize, Duration connectTimeout, Duration requestTimeout, long maxMessageSize, TcpTls.Client tls) {
    this.tls = tls;
    this.group = group;
    this.poolSize = poolSize;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.maxMessageSize = maxMessageSize;
  }

  /** A request on its way: the encoded frame, its ACK future and its deadline. */
  private record Outgoing(byte[] frame, CompletableFuture<TcpAck> ack, long deadline) {}

  /** Upper bounds (seconds) of the ACK latency histogram. */
  static final double[] ACK_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  private final LongAdder[] ackCounts = new LongAdder[ACK_BUCKETS.length + 1];
  private final DoubleAdder ackSum = new DoubleAdder();

  {
    for (int i = 0; i < ackCounts.length; i++) {
      ackCounts[i] = new LongAdder();
    }
  }

  /** Time from queueing a request to its ACK, as a histogram (seconds). */
  RequestPlane.Histogram ackLatency() {
    long[] counts = new long[ackCounts.length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = ackCounts[i].sum();
    }
    return new RequestPlane.Histogram(ACK_BUCKETS.clone(), counts, ackSum.sum());
  }

  private void observeAck(Outgoing o) {
    double seconds = (System.nanoTime() - (o.deadline - requestTimeout.toNanos())) / 1e9;
    int i = 0;
    while (i < ACK_BUCKETS.length && seconds > ACK_BUCKETS[i]) {
      i++;
    }
    ackCounts[i].increment();
    ackSum.add(seconds);
  }

  /**
   * One pipelined connection and its FIFO of requests waiting for an ACK. Requests are queued by
   * any thread and written by one event-loop drain per burst, flushed once. One timer per
   * connection watches the oldest unanswered request (ACKs come in order, so it expires first);
   * a missed deadline closes the connection (see {@link #expire}), so the FIFO holds at most the
   * requests sent within one {@code DYN_TCP_REQUEST_TIMEOUT}.
   */
  private final class Conn extends SimpleChannelInboundHandler<TcpAck> {
    final ArrayDeque<Outgoing> waiting = new ArrayDeque<>(); // event loop only
    final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    final AtomicBoolean drainScheduled = new AtomicBoolean();
    final Runnable drainTask = this::drain;
    boolean timerArmed; // event loop only
    /** Requests queued or waiting for their ACK on this connection (picks the least busy one). */
    final AtomicInteger outstanding = new AtomicInteger();
    volatile Channel channel;

    void enqueue(Outgoing o) {
      outbox.add(o);
      outstanding.incrementAndGet();
      if (drainScheduled.compareAndSet(false, true)) {
        channel.eventLoop().execute(drainTask);
      }
    }

    /** On the event loop: write everything queued, flush once, arm the timeout watch. */
    private void drain() {
      drainScheduled.set(false);
      Channel ch = channel;
      Outgoing o;
      boolean wrote = false;
      while ((o = outbox.poll()) != null) {
        if (!ch.isActive()) {
          outstanding.decrementAndGet();
          o.ack.completeExceptionally(new DynamoException(ErrorType.CannotConnect, "TCP connection to " + ch.remoteAddress() + " failed: closed"
              + (tls == null ? "" : tls.closedHint())));
          continue;
        }
        waiting.addLast(o);
        ch.write(Unpooled.wrappedBuffer(o.frame), ch.voidPromise());
        wrote = true;
      }
      if (wrote) {
        ch.flush();
      }
      armTimer();
    }

    private void armTimer() {
      if (timerArmed) {
        return;
      }
      for (Outgoing w : waiting) {
        if (!w.ack.isDone()) {
          timerArmed = true;
          channel.eventLoop().schedule(this::expire, Math.max(0, w.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          return;
        }
      }
    }

    /**
     * Fails the requests whose deadline passed, then closes the connection: ACKs come in order,
     * so a worker that missed one deadline owes every later request on this connection too, and
     * keeping it open would let the FIFO of unanswered requests grow with every new request. The
     * requests still waiting fail with {@code CannotConnect} at once; the next request opens a
     * new connection.
     */
    private void expire() {
      timerArmed = false;
      long now = System.nanoTime();
      boolean expired = false;
      for (Outgoing w : waiting) {
        if (w.ack.isDone()) {
          continue;
        }
        if (w.deadline - now > 0) {
          break; // later requests have later deadlines
        }
        expired = true;
        w.ack.completeExceptionally(new DynamoException(ErrorType.CannotConnect, "TCP request to " + channel.remoteAddress() + " timed out after " + requestTimeout.toMillis() + " ms"));
      }
      if (expired) {
        failAll("closed after a request got no ACK within " + requestTimeout.toMillis() + " ms (DYN_TCP_REQUEST_TIMEOUT)");
        channel.close();
        return;
      }
      armTimer();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TcpAck ack) {
      Outgoing o = waiting.pollFirst();
      if (o != null) {
        outstanding.decrementAndGet();
        observeAck(o);
        o.ack.complete(ack);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      failAll("connection closed before the ACK" + (tls == null ? "" : tls.closedHint()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failAll(TcpTls.isTls(cause) ? TcpTls.describe(cause, true) : cause.toString());
      ctx.close();
    }

    void failAll(String why) {
      Outgoing o;
      while ((o = waiting.pollFirst()) != null || (o = outbox.poll()) != null) {
        outstanding.decrementAndGet();
        o.ack.completeExceptionally(new DynamoException(ErrorType.CannotConnect, "TCP connection to " + (channel == null ? "?" : channel.remoteAddress()) + " failed: " + why));
      }
    }
  }

  /** Request connections open now, across workers. */
  int openConnections() {
    int n = 0;
    for (List<Conn> pool : pools.values()) {
      for (Conn c : pool) {
        if (c.channel != null && c.channel.isActive()) {
          n++;
        }
      }
    }
    return n;
  }

  @Override
  public void send(TransportType address, Map<String, String> headers, byte[] payload) throws InterruptedException {
    CompletableFuture<Void> f = sendAsync(address, headers, payload);
    try {
      f.get(requestTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS); // the future's own timer fires first
    } catch (TimeoutException e) {
      throw new DynamoException(ErrorType.CannotConnect, "TCP request to " + address.address() + " timed out after " + requestTimeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw DynamoException.wrap(e.getCause());
    }
  }

  /**
   * Queues the frame on a pooled connection; the future completes on the event loop with the
   * ACK (failing with the rejection it carries), or fails with {@code CannotConnect} when the
   * connection closes first or no ACK comes within {@code DYN_TCP_REQUEST_TIMEOUT} (watched by
   * one timer per connection).
   */
  @Override
  public CompletableFuture<Void> sendAsync(TransportType address, Map<String, String> headers, byte[] payload) throws InterruptedException {
    if (!(address instanceof TransportType.Tcp tcp)) {
      throw new DynamoException(ErrorType.CannotConnect, "the TCP request plane cannot reach " + address);
    }
    String[] parts = RoutingKey.splitAddress(tcp.address());
    LinkedHashMap<String, String> h = new LinkedHashMap<>();
    h.put("x-endpoint-path", parts[1]);
    h.putAll(headers);
    byte[] frame;
    try {
      frame = new TcpRequestFrame(parts[1], h, payload).encode(maxMessageSize);
    } catch (WireFormatException e) {
      throw new DynamoException(
          ErrorType.InvalidArgument,
          "Request payload is too large for this deployment. " + e.getMessage() + " (raise DYN_TCP_MAX_MESSAGE_SIZE on both sides)", e);
    }
    Conn conn = connection(parts[0]);
    CompletableFuture<TcpAck> f = new CompletableFuture<>();
    conn.enqueue(new Outgoing(frame, f, System.nanoTime() + requestTimeout.toNanos()));
    return f.thenApply(ack -> {
      DynamoException rejection = ack.rejection();
      if (rejection != null) {
        throw rejection;
      }
      return null;
    });
  }

  private Conn connection(String hostPort) throws InterruptedException {
    if (closed) {
      throw new DynamoException(ErrorType.CannotConnect, "the TCP request client is closed");
    }
    List<Conn> pool = pools.computeIfAbsent(hostPort, k -> new CopyOnWriteArrayList<>());
    pool.removeIf(c -> !c.channel.isActive());
    Conn best = null;
    for (Conn c : pool) {
      if (best == null || c.outstanding.get() < best.outstanding.get()) {
        best = c;
      }
    }
    if (best != null && (best.outstanding.get() == 0 || pool.size() >= poolSize)) {
      return best;
    }
    synchronized (pool) {
      if (pool.size() >= poolSize && !pool.isEmpty()) {
        return pool.get(0);
      }
      Conn c = open(hostPort);
      pool.add(c);
      return c;
    }
  }

  private Conn open(String hostPort) throws InterruptedException {
    Conn conn = new Conn();
    conn.channel = Transports.connect(group, hostPort, connectTimeout, tls, ch -> ch.pipeline().addLast(new Codecs.AckDecoder(maxMessageSize), conn), "TCP connection to " + hostPort);
    return conn;
  }

  void close() {
    closed = true;
    for (List<Conn> pool : pools.values()) {
      for (Conn c : pool) {
        c.channel.close();
      }
    }
    pools.clear();
  }
}
