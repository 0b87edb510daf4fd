package dev.dynamo4j.zmq;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.IoThreads;
import dev.dynamo4j.internal.network.RouteTable;
import dev.dynamo4j.spi.network.RequestClient;
import dev.dynamo4j.spi.network.RequestHandler;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.tcp.TcpCallHome;
import dev.dynamo4j.wire.TcpAck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * {@code DYN_REQUEST_PLANE=zmq} (ours): the ZeroMQ ROUTER/DEALER design of Dynamo's unused
 * prototype ({@code transports/zmq.rs}), made a working request plane. Each served endpoint has a
 * ROUTER bound on {@code DYN_TCP_RPC_HOST} (any free port), advertised as {@code
 * {"zmq":"tcp://host:port"}}; a caller keeps one DEALER per worker address and sends the
 * prototype's two frames {@code [request_id][request]} (the request is the same two-part envelope
 * as on TCP); the ROUTER, which sees {@code [identity][request_id][request]}, admits it into the
 * shared {@link RouteTable} and answers {@code [request_id][ack]} with TCP's ACK bytes (empty =
 * accepted; {@code Server overloaded: ...}, {@code Server unavailable: unknown endpoint ...}).
 * A message with another number of frames is answered {@code Read error: ...} when it names a
 * request id, else dropped, and the ROUTER goes on (the prototype stopped its loop). Responses
 * come back over the TCP response plane ({@link TcpCallHome}), as on NATS, or, for a caller with
 * {@code DYN_ZMQ_RESPONSE_PATH=zmq}, over these same sockets ({@link ZmqResponsePlane}). Trace
 * headers are not carried (the prototype's layout has no frame for them).
 *
 * <p>Threads: each served endpoint's ROUTER has a platform thread that waits in a blocking
 * receive and admits and answers on it (admission never blocks), and sends what the ZMQ response
 * streams queue for it (woken by {@link Waker}); it is an I/O thread ({@link IoThreads}): an
 * endpoint in direct mode runs its engine there when the response stream opens without waiting,
 * as on a TCP event loop; each worker address this process
 * calls has a DEALER owned by a platform thread of its own, which callers hand requests to through
 * a queue and wake with a guarded interrupt ({@link Waker}: JeroMQ's pollers spin, see there).
 * Buffers: per socket ZMQ's high-water marks ({@value #HWM} messages) and {@code
 * ZMQ_MAXMSGSIZE} = {@code DYN_TCP_MAX_MESSAGE_SIZE}; requests waiting for their ACK are bounded
 * by the request timeout.
 *
 * <p>Failures: DEALERs queue nothing on incomplete connections ({@code ZMQ_IMMEDIATE}), so a request is never queued on a connection
 * that is not up: it is sent once one is, or fails with {@code CannotConnect} after {@code
 * DYN_TCP_CONNECT_TIMEOUT} (JeroMQ's handshakes can stall; this bounds them); no ACK within
 * {@code DYN_TCP_REQUEST_TIMEOUT} is {@code CannotConnect} too; a request over {@code
 * DYN_TCP_MAX_MESSAGE_SIZE} is {@code InvalidArgument}.
 */
public final class ZmqRequestPlane implements RequestPlane {
  private static final Logger log = LoggerFactory.getLogger(ZmqRequestPlane.class);
  static final int HWM = 10_000;

  private final ZContext context = new ZContext(1);
  private final RouteTable routes;
  private final ZmqResponsePlane responses;
  private final String bindHost;
  private final String advertiseHost;
  private final long maxMessageSize;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Server server = new Server();
  private final Client client = new Client();
  private volatile boolean closed;

  public ZmqRequestPlane(RuntimeConfig config) {
    // a ZContext gives every socket it creates (and those it closes itself) its linger, 0 unless
    // set: bounded here, so a closing socket's last messages get ROUTER_LINGER_MS
    context.setLinger(ROUTER_LINGER_MS);
    this.routes = new RouteTable(config.tcpWorkerPoolSize(), config.tcpWorkQueueSize());
    String[] hosts = ZmqEventTransport.hosts(config.tcpRpcHost());
    this.bindHost = hosts[0];
    this.advertiseHost = hosts[1];
    this.maxMessageSize = config.tcpMaxMessageSize();
    this.connectTimeout = config.tcpConnectTimeout();
    this.requestTimeout = config.tcpRequestTimeout();
    this.responses = new ZmqResponsePlane(TcpCallHome.create(config), !"tcp".equals(ZmqSettings.RESPONSE_PATH.read(config.variables())),
        config.responseStreams().streamWindowBytes(), maxMessageSize);
  }

  @Override
  public String name() {
    return "zmq";
  }

  @Override
  public RequestServer server() {
    return server;
  }

  @Override
  public RequestClient client() {
    return client;
  }

  @Override
  public boolean canReach(TransportType address) {
    return address instanceof TransportType.Zmq;
  }

  @Override
  public ResponsePlane responsePlane() {
    return responses;
  }

  /**
   * {@code routers} (endpoints served), {@code dealers} (worker addresses this process talks to),
   * {@code pending_acks}, {@code streams} (ZMQ response and request streams open, both sides),
   * {@code pending_streams} (streams whose worker has not opened them yet).
   */
  @Override
  public Map<String, Long> gauges() {
    Map<String, Long> g = new LinkedHashMap<>();
    g.put("routers", (long) routerCount.get());
    g.put("dealers", (long) dealerCount.get());
    g.put("pending_acks", (long) pendingAcks.get());
    g.put("streams", (long) responses.openStreams());
    g.put("pending_streams", (long) responses.pendingStreams());
    return g;
  }

  private final AtomicInteger routerCount = new AtomicInteger();
  private final AtomicInteger dealerCount = new AtomicInteger();
  private final AtomicInteger pendingAcks = new AtomicInteger();
  private static final AtomicLong MONITORS = new AtomicLong();

  private static <T> T await(CompletableFuture<T> f, Duration timeout, String what) throws InterruptedException {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw DynamoException.wrap(e.getCause());
    } catch (TimeoutException e) {
      throw new DynamoException(ErrorType.Unavailable, what + " did not finish within " + timeout.toMillis() + " ms");
    }
  }

  // ---------------------------------------------------------------- server

  /** Longest a ROUTER's thread waits before it looks at whether it should stop. */
  private static final int ROUTER_WAKE_MS = 100;
  /** How long a closing ROUTER still tries to deliver what it queued. */
  private static final int ROUTER_LINGER_MS = 500;

  private final class Server implements RequestServer {
    private final Map<String, Router> routers = new ConcurrentHashMap<>();

    @Override
    public TransportType register(String routingKey, RequestHandler handler) {
      if (closed) {
        throw new DynamoException(ErrorType.Unavailable, "the ZMQ request plane is closed");
      }
      routes.register(routingKey, handler);
      Router router = new Router(routingKey);
      String address;
      try {
        address = await(router.bound, Duration.ofSeconds(10), "binding the ZMQ ROUTER of " + routingKey);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        router.stop();
        unregisterQuietly(routingKey);
        throw new DynamoException(ErrorType.Cancelled, "interrupted while binding the ZMQ ROUTER of " + routingKey, e);
      } catch (DynamoException e) {
        router.stop();
        unregisterQuietly(routingKey);
        throw e;
      }
      Router previous = routers.put(routingKey, router);
      if (previous != null) {
        previous.stop();
      }
      log.info("ZMQ request plane: {} served on {}", routingKey, address);
      return new TransportType.Zmq(address);
    }

    private void unregisterQuietly(String routingKey) {
      try {
        routes.unregister(routingKey, Duration.ZERO);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public int unregister(String routingKey, Duration drain) throws InterruptedException {
      // the ROUTER stays up while the drain lasts: it answers new requests "unknown endpoint" and
      // carries the ZMQ response streams of the requests in flight
      int left;
      try {
        left = routes.unregister(routingKey, drain);
      } finally {
        Router r = routers.remove(routingKey);
        if (r != null) {
          r.stop();
        }
      }
      return left;
    }

    void closeAll() {
      for (Router r : routers.values()) {
        r.stop();
      }
      routers.clear();
    }
  }

  /** A message for the ROUTER's owner thread to send. */
  private record Out(byte[] identity, byte[] head, byte[] body) {}

  /**
   * One served endpoint's ROUTER and the platform thread that owns it: it admits requests, answers
   * their ACKs, and sends what the ZMQ response streams hand it ({@link #send}, woken by {@link
   * Waker}).
   */
  private final class Router implements Runnable, ZmqResponsePlane.Outbox {
    final String routingKey;
    final CompletableFuture<String> bound = new CompletableFuture<>();
    final Thread thread;
    final Waker waker;
    final ConcurrentLinkedQueue<Out> outbox = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;
    private volatile boolean done;
    private long malformed; // owner thread only
    private Out stalled; // owner thread only: a message ZMQ would not take yet
    /** Owner thread only: when this ROUTER last sent a stream message to each caller (bounded, see {@link #noteStreamPeer}). */
    private final Map<ByteBuffer, Long> streamPeers = new HashMap<>();
    private ZMQ.Socket monitor; // owner thread only: tells when a caller's connection drops

    Router(String routingKey) {
      this.routingKey = routingKey;
      this.thread = Thread.ofPlatform().name("dynamo4j-zmq-router-" + routingKey).daemon(true).unstarted(this);
      this.waker = new Waker(thread);
      thread.start();
    }

    /** Any thread: queues a stream message for {@code identity}; false once the ROUTER is closed. */
    @Override
    public boolean send(byte[] identity, byte[] head, byte[] body) {
      if (done) {
        return false;
      }
      outbox.add(new Out(identity, head, body));
      waker.wake();
      return true;
    }

    /** Ends the thread within {@value #ROUTER_WAKE_MS} ms; it closes the socket. */
    void stop() {
      stopping = true;
      waker.wake();
      try {
        thread.join(ROUTER_WAKE_MS * 5L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void run() {
      IoThreads.markCurrent(); // direct-mode engines run here, and must not wait for a caller's credit
      ZMQ.Socket r;
      try {
        r = context.createSocket(SocketType.ROUTER);
        // what the last turn queued (a drained stream's END) still goes out when the socket closes
        r.setLinger(ROUTER_LINGER_MS);
        r.setRcvHWM(HWM);
        // no high-water mark on sends: the ZMQ streams' windows bound what waits for a caller (a
        // full ROUTER pipe would drop silently); ROUTER_MANDATORY tells a caller that is gone
        r.setSndHWM(0);
        r.setRouterMandatory(true);
        r.setRouterHandover(true); // a caller that reconnects keeps its routing id
        r.setMaxMsgSize(maxMessageSize);
        r.setHandshakeIvl(2000);
        r.setIPv6(bindHost.contains(":"));
        r.setReceiveTimeOut(ROUTER_WAKE_MS);
        r.bind("tcp://" + (bindHost.contains(":") ? "[" + bindHost + "]" : bindHost) + ":*");
        String monitorAt = "inproc://dynamo4j-zmq-router-" + MONITORS.incrementAndGet();
        r.monitor(monitorAt, ZMQ.EVENT_DISCONNECTED);
        monitor = context.createSocket(SocketType.PAIR);
        monitor.connect(monitorAt);
      } catch (RuntimeException e) {
        bound.completeExceptionally(new DynamoException(ErrorType.Unavailable,
            "cannot bind a ZMQ ROUTER for " + routingKey + " on " + bindHost + " (DYN_TCP_RPC_HOST): " + e.getMessage(), e));
        return;
      }
      String last = r.getLastEndpoint();
      routerCount.incrementAndGet();
      bound.complete(ZmqEventTransport.endpoint(advertiseHost, Integer.parseInt(last.substring(last.lastIndexOf(':') + 1))));
      try {
        while (!stopping && !closed) {
          onMonitor();
          flush(r);
          waker.parking();
          if ((!outbox.isEmpty() && stalled == null) || stopping || closed) {
            waker.unparked(false);
            continue;
          }
          byte[] first = null;
          ZMQException failure = null;
          try {
            r.setReceiveTimeOut(stalled != null ? 1 : ROUTER_WAKE_MS);
            first = r.recv(0);
          } catch (ZMQException e) {
            if (Waker.isTerminated(e)) {
              return;
            }
            if (Waker.isInterrupt(e)) {
              failure = e;
            } else {
              log.debug("ZMQ ROUTER of {}: {}", routingKey, e.toString());
            }
          } finally {
            waker.unparked(Waker.interruptedWait(failure));
          }
          while (first != null) {
            serve(r, first);
            first = recvNow(r);
          }
        }
        flush(r); // a graceful stop: what the drained streams queued last
        if (!closed) {
          awaitCallersRead(r);
        }
      } finally {
        done = true;
        routerCount.decrementAndGet();
        responses.routerClosed(this, "the ZMQ ROUTER of " + routingKey + " closed");
        r.close();
        monitor.close();
      }
    }

    /**
     * Owner thread: a caller's connection dropped (the event does not say whose): every caller
     * with a stream through this ROUTER is pinged, and the send to one that is gone fails
     * ({@code EHOSTUNREACH}), which fails its streams. The loop turns at least every {@value
     * #ROUTER_WAKE_MS} ms, so a worker learns of a dead caller that fast even while it waits.
     */
    private void onMonitor() {
      boolean dropped = false;
      ZMQ.Event ev;
      while ((ev = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
        dropped |= ev.getEvent() == ZMQ.EVENT_DISCONNECTED;
      }
      if (dropped) {
        responses.probe(this);
      }
    }

    private byte[] recvNow(ZMQ.Socket r) {
      try {
        return r.recv(ZMQ.DONTWAIT);
      } catch (ZMQException e) {
        if (Waker.isInterrupt(e) || Waker.isTerminated(e)) {
          return null; // the loop looks again
        }
        throw e;
      }
    }

    /**
     * Owner thread: sends what the streams queued, in order, stream messages for one caller that
     * queued one behind the other as one {@code BATCH}; a message ZMQ will not take yet waits for
     * the next turn.
     */
    private void flush(ZMQ.Socket r) {
      Out o = stalled;
      stalled = null;
      while (o != null || (o = outbox.poll()) != null) {
        if (ZmqResponsePlane.isStreamHead(o.head()) && o.head()[0] != ZmqResponsePlane.BATCH) { // not a batch stalled last turn
          o = batchBehind(o);
        }
        if (!sendTo(r, o.identity(), o.head(), o.body())) {
          stalled = o;
          return;
        }
        o = null;
      }
    }

    /** Owner thread: {@code first} and the stream messages for the same caller right behind it, as one message. */
    private Out batchBehind(Out first) {
      List<byte[][]> batch = null;
      long size = ZmqResponsePlane.HEAD_SIZE + 4 + first.body().length;
      long limit = Math.min(ZmqResponsePlane.BATCH_LIMIT, maxMessageSize);
      Out next;
      while ((next = outbox.peek()) != null && ZmqResponsePlane.isStreamHead(next.head()) && Arrays.equals(next.identity(), first.identity())
          && size + ZmqResponsePlane.HEAD_SIZE + 4 + next.body().length <= limit) {
        outbox.poll(); // this thread is the only one that takes: the message peeked
        if (batch == null) {
          batch = new ArrayList<>();
          batch.add(new byte[][] {first.head(), first.body()});
        }
        batch.add(new byte[][] {next.head(), next.body()});
        size += ZmqResponsePlane.HEAD_SIZE + 4 + next.body().length;
      }
      return batch == null ? first : new Out(first.identity(), ZmqResponsePlane.BATCH_HEAD, ZmqResponsePlane.batch(batch));
    }

    /** Owner thread: one message to {@code identity}; false when ZMQ would not take it now. */
    private boolean sendTo(ZMQ.Socket r, byte[] identity, byte[] head, byte[] body) {
      try {
        if (!r.send(identity, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
          return false;
        }
        r.send(head, ZMQ.SNDMORE | ZMQ.DONTWAIT); // the rest of a message always goes once its first frame did
        r.send(body, ZMQ.DONTWAIT);
        if (ZmqResponsePlane.isStreamHead(head)) {
          noteStreamPeer(identity);
        }
        return true;
      } catch (ZMQException e) {
        if (e.getErrorCode() != ZError.EHOSTUNREACH) {
          throw e;
        }
        responses.peerGone(this, identity, "the ZMQ caller is no longer connected to " + routingKey + "'s ROUTER");
        return true; // dropped: the streams to that caller have failed
      }
    }

    /** Owner thread: remembers that {@code identity} was sent stream messages now; callers silent for a minute are forgotten once 4,096 are held. */
    private void noteStreamPeer(byte[] identity) {
      long now = System.nanoTime();
      if (streamPeers.size() >= 4096) {
        streamPeers.values().removeIf(t -> now - t > TimeUnit.MINUTES.toNanos(1));
      }
      if (streamPeers.size() < 4096 || streamPeers.containsKey(ByteBuffer.wrap(identity))) {
        streamPeers.put(ByteBuffer.wrap(identity.clone()), now);
      }
    }

    /**
     * Owner thread, on a graceful stop after the last flush: waits (at most {@value
     * #ROUTER_LINGER_MS} ms) until every caller this ROUTER sent stream messages to in the last
     * minute has read them. Closing at once lost a drained stream's last frames and END one time
     * in eight (measured; the 500 ms linger did not prevent it, a pause before the close did): as
     * far as we can tell JeroMQ drops what a DEALER (immediate mode) has not read yet when its
     * connection ends. Each caller is
     * sent a PING for a stream it does not know; its answer, RESET, comes after it read everything
     * before it. Requests that arrive meanwhile are answered as usual ("unknown endpoint").
     */
    private void awaitCallersRead(ZMQ.Socket r) {
      long now = System.nanoTime();
      Map<UUID, ByteBuffer> awaiting = new HashMap<>();
      for (Map.Entry<ByteBuffer, Long> e : streamPeers.entrySet()) {
        if (now - e.getValue() > TimeUnit.MINUTES.toNanos(1)) {
          continue;
        }
        UUID probe = UUID.randomUUID();
        byte[] identity = e.getKey().array();
        try {
          if (r.send(identity, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            r.send(ZmqResponsePlane.head(ZmqResponsePlane.PING, probe), ZMQ.SNDMORE | ZMQ.DONTWAIT);
            r.send(new byte[0], ZMQ.DONTWAIT);
            awaiting.put(probe, e.getKey());
          }
        } catch (ZMQException gone) {
          // EHOSTUNREACH: that caller is gone, nothing to wait for
        }
      }
      long deadline = now + TimeUnit.MILLISECONDS.toNanos(ROUTER_LINGER_MS);
      while (!awaiting.isEmpty() && !closed) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          log.debug("ZMQ ROUTER of {}: {} caller(s) did not confirm reading within {} ms before close", routingKey, awaiting.size(), ROUTER_LINGER_MS);
          return;
        }
        byte[] first;
        try {
          r.setReceiveTimeOut((int) Math.max(1, left));
          first = r.recv(0);
        } catch (ZMQException e) {
          if (Waker.isInterrupt(e)) {
            Thread.interrupted();
            continue;
          }
          return;
        }
        if (first == null) {
          continue;
        }
        List<byte[]> parts = new ArrayList<>(3);
        parts.add(first);
        while (r.hasReceiveMore()) {
          byte[] p = r.recv(0);
          if (parts.size() < 8) {
            parts.add(p);
          }
        }
        if (parts.size() == 3 && parts.get(1).length == ZmqResponsePlane.HEAD_SIZE && parts.get(1)[0] == ZmqResponsePlane.RESET
            && awaiting.remove(ZmqResponsePlane.subject(parts.get(1))) != null) {
          continue; // that caller has read everything sent before the probe
        }
        serveParts(r, parts);
      }
    }

    /** Owner thread: one message whose first frame is {@code identity}: admit, answer with the ACK. */
    private void serve(ZMQ.Socket r, byte[] identity) {
      List<byte[]> parts = new ArrayList<>(3);
      parts.add(identity);
      while (r.hasReceiveMore()) {
        byte[] p = r.recv(0); // the rest of a message is there once its first frame is
        if (parts.size() < 8) {
          parts.add(p);
        }
      }
      serveParts(r, parts);
    }

    /** Owner thread: one message, {@code parts} = identity and at most 7 more frames. */
    private void serveParts(ZMQ.Socket r, List<byte[]> parts) {
      byte[] identity = parts.get(0);
      if (parts.size() == 3 && ZmqResponsePlane.isStreamHead(parts.get(1))) {
        responses.onWorkerMessage(this, identity, parts.get(1), parts.get(2));
        return;
      }
      if (parts.size() != 3) {
        if (Long.bitCount(++malformed) == 1) {
          log.warn("ZMQ request plane: a message for {} with {} frames after the identity (expected 2: [request_id][request]); {} such so far",
              routingKey, parts.size() - 1, malformed);
        }
        if (parts.size() >= 2) {
          reply(r, identity, parts.get(1), TcpAck.ofText("Read error: expected 2 frames [request_id][request], got " + (parts.size() - 1)).body());
        }
        return;
      }
      byte[] requestId = parts.get(1);
      if (requestId.length == 0) {
        reply(r, identity, requestId, TcpAck.ofText("Read error: empty request id").body());
        return;
      }
      responses.seen(this, identity); // before the handler runs: it may answer on the ZMQ response path
      // this thread is an I/O thread: a direct-mode endpoint's engine runs right here (before the
      // ACK goes out, as on TCP) when its response stream can be opened without waiting
      TcpAck ack = routes.accept(routingKey, Map.of(), parts.get(2), true).toTcpAck();
      reply(r, identity, requestId, ack.body());
    }

    /** An ACK; a peer gone meanwhile is dropped, as a closed TCP connection would be. */
    private void reply(ZMQ.Socket r, byte[] identity, byte[] requestId, byte[] ack) {
      if (stalled != null || !outbox.isEmpty()) {
        outbox.add(new Out(identity, requestId, ack)); // behind what waits: one order per caller
        return;
      }
      if (!sendTo(r, identity, requestId, ack)) {
        stalled = new Out(identity, requestId, ack);
      }
    }
  }

  // ---------------------------------------------------------------- client

  /** A request on its way: what to send, its ACK future and its deadlines. */
  private record Outgoing(byte[] requestId, byte[] payload, CompletableFuture<TcpAck> ack, long connectDeadline, long ackDeadline) {}

  /** Longest a DEALER's thread waits while requests wait for their ACK: how soon a lost connection fails them at the latest. */
  private static final long DEALER_BUSY_WAKE_MS = 20;
  private static final long DEALER_IDLE_WAKE_MS = 1000;
  /**
   * How long a DEALER may sit idle (nothing to send, no ACK awaited, no stream through it) before
   * its thread and socket go: system property {@code dynamo4j.zmq.dealerIdleMillis}, 60 s by
   * default. A caller that talked to many workers over time keeps threads only for those it
   * still talks to; the next request to a reaped address opens a new DEALER.
   */
  private final long dealerIdleNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, Long.getLong("dynamo4j.zmq.dealerIdleMillis", 60_000)));

  /**
   * The DEALER to one worker address and the platform thread that owns it: it sends what callers
   * hand it, reads ACKs, and watches the connection through a socket monitor.
   */
  private final class Dealer implements Runnable {
    final String address;
    final ConcurrentLinkedQueue<Outgoing> inbox = new ConcurrentLinkedQueue<>();
    /** Stream messages (credits, stop/kill, a bidirectional call's inputs) for the worker. */
    final ConcurrentLinkedQueue<byte[][]> streamOut = new ConcurrentLinkedQueue<>();
    final Thread thread;
    final Waker waker;
    /** How the ZMQ streams opened through this DEALER send. */
    final ZmqStream.Link link = this::queueStreamMessage;
    private volatile boolean stopping;
    /** Set by the owner when it is about to retire idle: a request handed over meanwhile is taken back by its caller. */
    private volatile boolean retiring;
    private volatile String endReason;
    private long idleSince = System.nanoTime(); // owner thread only
    // owner thread only
    private ZMQ.Socket socket;
    private ZMQ.Socket monitor;
    private final ArrayDeque<Outgoing> unsent = new ArrayDeque<>();
    private final Map<String, Outgoing> waiting = new HashMap<>();
    /** Whether a connection is up: JeroMQ can take a first send on a pipe it then drops, so nothing is sent before its handshake event. */
    private boolean ready;

    Dealer(String address) {
      this.address = address;
      this.thread = Thread.ofPlatform().name("dynamo4j-zmq-dealer-" + address).daemon(true).unstarted(this);
      this.waker = new Waker(thread);
      thread.start();
    }

    /** Any thread: a ZMQ stream's message for the worker; false once this DEALER has ended. */
    private boolean queueStreamMessage(byte kind, UUID id, byte[] body) {
      if (stopping) {
        return false;
      }
      streamOut.add(new byte[][] {ZmqResponsePlane.head(kind, id), body});
      waker.wake();
      return true;
    }

    /**
     * Any thread: hands {@code o} to this DEALER; false when it was retiring idle and {@code o} was
     * taken back (the caller then asks for a DEALER again and gets a new one).
     */
    boolean submit(Outgoing o) {
      inbox.add(o);
      waker.wake();
      if (retiring && inbox.remove(o)) {
        return false;
      }
      if (stopping) {
        String why = endReason;
        failInbox(why != null ? why : "the ZMQ request plane is closed");
      }
      return true;
    }

    /**
     * Owner: whether this DEALER has been idle for {@link #dealerIdleNanos} and has retired (it is
     * out of the client's table; its loop ends). A request handed over while it decided is either
     * seen here (it stays) or taken back by its caller ({@link #submit}).
     */
    private boolean retireIfIdle(long now) {
      if (!inbox.isEmpty() || !unsent.isEmpty() || !waiting.isEmpty() || !streamOut.isEmpty() || stalledStream != null || responses.inUse(link)) {
        idleSince = now;
        return false;
      }
      if (now - idleSince < dealerIdleNanos) {
        return false;
      }
      retiring = true;
      if (!inbox.isEmpty()) { // handed over just before it saw the flag: stay
        retiring = false;
        idleSince = now;
        return false;
      }
      if (client.dealers.remove(address, this)) { // at once: a caller that spins for a new DEALER gets one
        dealerCount.decrementAndGet();
      }
      log.debug("ZMQ request plane: the DEALER to {} retires after {} ms idle", address, TimeUnit.NANOSECONDS.toMillis(now - idleSince));
      return true;
    }

    void stop() {
      stopping = true;
      waker.wake();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void open() {
      socket = context.createSocket(SocketType.DEALER);
      socket.setLinger(ROUTER_LINGER_MS); // bounded (JeroMQ's default waits forever): a caller's last END/RESET still leaves
      // never queue a request on a connection that is not up. JeroMQ 0.6 has this option the other
      // way round from libzmq: measured, setImmediate(true) queues on a refused address, false
      // makes a DONTWAIT send fail until the handshake is done (ZmqRequestTransportTest)
      socket.setImmediate(false);
      socket.setSndHWM(HWM);
      socket.setRcvHWM(HWM);
      socket.setMaxMsgSize(maxMessageSize);
      socket.setReconnectIVL(100);
      socket.setReconnectIVLMax(2000);
      socket.setHandshakeIvl(2000);
      socket.setIdentity(responses.peerId()); // the worker answers ZMQ streams to this id
      String monitorAt = "inproc://dynamo4j-zmq-dealer-" + MONITORS.incrementAndGet();
      socket.monitor(monitorAt, ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
      monitor = context.createSocket(SocketType.PAIR);
      monitor.connect(monitorAt);
      socket.connect(address);
    }

    @Override
    public void run() {
      try {
        open();
      } catch (RuntimeException e) {
        end("cannot open a ZMQ DEALER to " + address + ": " + e.getMessage());
        return;
      }
      String why = "the ZMQ request plane is closed";
      try {
        while (!stopping && !closed) {
          long now = System.nanoTime();
          Outgoing o;
          while ((o = inbox.poll()) != null) {
            unsent.add(o);
          }
          onMonitor();
          flush(now);
          flushStreams();
          read();
          long wait = expire(now);
          if (retireIfIdle(now)) {
            why = "the ZMQ DEALER to " + address + " retired idle";
            break;
          }
          waker.parking();
          if (!inbox.isEmpty() || (!streamOut.isEmpty() && stalledStream == null) || stopping || closed) {
            waker.unparked(false);
            continue;
          }
          ZMQException failure = null;
          try {
            // before the handshake only the monitor has news; after it, ACKs come on the socket
            int ms = stalledStream != null ? 1 : (int) Math.max(1, wait);
            if (ready) {
              socket.setReceiveTimeOut(ms);
              byte[] first = socket.recv(0);
              if (first != null) {
                onAck(first);
              }
            } else {
              monitor.setReceiveTimeOut(ms);
              onMonitorEvent(ZMQ.Event.recv(monitor, 0));
            }
          } catch (ZMQException e) {
            if (Waker.isTerminated(e)) {
              return;
            }
            if (!Waker.isInterrupt(e)) {
              throw e;
            }
            failure = e;
          } finally {
            waker.unparked(Waker.interruptedWait(failure));
          }
        }
      } catch (RuntimeException e) {
        // not expected: end this DEALER (its requests fail with the cause); the next request opens a new one
        why = "the ZMQ DEALER to " + address + " failed: " + e;
        log.warn("ZMQ request plane: {}", why);
      } finally {
        for (Outgoing o : unsent) {
          fail(o, why);
        }
        for (Outgoing o : waiting.values()) {
          fail(o, why);
        }
        unsent.clear();
        waiting.clear();
        socket.close();
        monitor.close();
        end(why);
        responses.callerLinkLost(link, why);
      }
    }

    /** Owner thread, last: no request is taken any more, what was handed over fails with {@code why}. */
    private void end(String why) {
      endReason = why;
      stopping = true;
      if (client.dealers.remove(address, this)) {
        dealerCount.decrementAndGet();
      }
      if (!retiring) { // a retiring DEALER's inbox belongs to the callers that see the flag: they take it back
        failInbox(why);
      }
    }

    private void failInbox(String why) {
      Outgoing o;
      while ((o = inbox.poll()) != null) {
        fail(o, why);
      }
    }

    /** The socket monitor's events waiting now. */
    private void onMonitor() {
      ZMQ.Event ev;
      while ((ev = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
        onMonitorEvent(ev);
      }
    }

    /** A finished handshake opens the way, a lost connection fails what waits for an ACK at once. */
    private void onMonitorEvent(ZMQ.Event ev) {
      if (ev == null) {
        return;
      }
      if (ev.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
        ready = true;
      } else if (ev.getEvent() == ZMQ.EVENT_DISCONNECTED) {
        // what is still readable is read first (a worker that drains waits until its callers
        // confirm they read its last messages: Router#awaitCallersRead)
        read();
        ready = false;
        stalledStream = null;
        streamOut.clear();
        responses.callerLinkLost(link, "the ZMQ connection to " + address + " was lost");
        for (Outgoing o : waiting.values()) {
          fail(o, "the ZMQ connection to " + address + " was lost before the worker's ACK");
        }
        waiting.clear();
      }
    }

    /** Sends what it can; what cannot go yet stays, until its connect deadline. */
    private void flush(long now) {
      while (!unsent.isEmpty()) {
        Outgoing o = unsent.peek();
        if (o.ack().isDone()) {
          unsent.poll();
          continue;
        }
        if (ready && sendFrame(o.requestId(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
          sendFrame(o.payload(), ZMQ.DONTWAIT); // the rest of a message always goes once its first frame did
          unsent.poll();
          waiting.put(new String(o.requestId(), StandardCharsets.US_ASCII), o);
          continue;
        }
        if (now - o.connectDeadline() >= 0) {
          unsent.poll();
          fail(o, "no ZMQ connection to " + address + " within " + connectTimeout.toMillis() + " ms (DYN_TCP_CONNECT_TIMEOUT)");
          continue;
        }
        return; // the handshake event or the deadline ends the wait
      }
    }

    /** A stream message ZMQ would not take yet (owner thread). */
    private byte[][] stalledStream;

    /**
     * Sends the streams' messages, in order. Without a connection they are dropped: the streams
     * opened through it have failed ({@link ZmqResponsePlane#callerLinkLost}).
     */
    private void flushStreams() {
      byte[][] m = stalledStream;
      stalledStream = null;
      while (m != null || (m = streamOut.poll()) != null) {
        if (!ready) {
          m = null;
          continue;
        }
        m = batchBehind(m);
        if (!sendFrame(m[0], ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
          stalledStream = m;
          return;
        }
        sendFrame(m[1], ZMQ.DONTWAIT);
        m = null;
      }
    }

    /** {@code first} and the stream messages right behind it, as one message (as the ROUTER does). */
    private byte[][] batchBehind(byte[][] first) {
      if (first[0][0] == ZmqResponsePlane.BATCH) {
        return first; // a batch stalled last turn
      }
      List<byte[][]> batch = null;
      long size = ZmqResponsePlane.HEAD_SIZE + 4 + first[1].length;
      long limit = Math.min(ZmqResponsePlane.BATCH_LIMIT, maxMessageSize);
      byte[][] next;
      while ((next = streamOut.peek()) != null && size + ZmqResponsePlane.HEAD_SIZE + 4 + next[1].length <= limit) {
        streamOut.poll(); // this thread is the only one that takes: the message peeked
        if (batch == null) {
          batch = new ArrayList<>();
          batch.add(first);
        }
        batch.add(next);
        size += ZmqResponsePlane.HEAD_SIZE + 4 + next[1].length;
      }
      return batch == null ? first : new byte[][] {ZmqResponsePlane.BATCH_HEAD, ZmqResponsePlane.batch(batch)};
    }

    /** One frame; a stray interrupt's EINTR (see {@link Waker}) is taken and the send repeated. */
    private boolean sendFrame(byte[] frame, int flags) {
      for (int attempt = 0; ; attempt++) {
        try {
          return socket.send(frame, flags);
        } catch (ZMQException e) {
          if (!Waker.isInterrupt(e) || attempt == 3) {
            throw e;
          }
        }
      }
    }

    /** Every ACK waiting on the socket. */
    private void read() {
      byte[] id;
      while ((id = recvQuietly()) != null) {
        onAck(id);
      }
    }

    private byte[] recvQuietly() {
      try {
        return socket.recv(ZMQ.DONTWAIT);
      } catch (ZMQException e) {
        if (Waker.isInterrupt(e)) {
          return null; // the next turn reads it
        }
        throw e;
      }
    }

    private void onAck(byte[] id) {
      byte[] ack = socket.hasReceiveMore() ? socket.recv(0) : null;
      while (socket.hasReceiveMore()) {
        socket.recv(0); // more than [request_id][ack]: not ours to read
      }
      if (ZmqResponsePlane.isStreamHead(id)) {
        responses.onCallerMessage(link, address, id, ack == null ? new byte[0] : ack);
        return;
      }
      Outgoing o = waiting.remove(new String(id, StandardCharsets.US_ASCII));
      if (o == null) {
        return; // timed out already
      }
      pendingAcks.decrementAndGet();
      if (ack == null) {
        o.ack().completeExceptionally(new DynamoException(ErrorType.CannotConnect, "ZMQ worker at " + address + " answered without an ACK frame"));
      } else {
        o.ack().complete(new TcpAck(ack));
      }
    }

    /** Fails what waited past its deadline; returns how long the thread may wait now, in ms. */
    private long expire(long now) {
      // the monitor is read between waits: while streams are open a lost connection fails them within the busy interval
      long wait = waiting.isEmpty() && unsent.isEmpty() && !responses.hasCallerStreams() ? DEALER_IDLE_WAKE_MS : DEALER_BUSY_WAKE_MS;
      for (Iterator<Outgoing> it = waiting.values().iterator(); it.hasNext(); ) {
        Outgoing o = it.next();
        if (now - o.ackDeadline() >= 0) {
          it.remove();
          fail(o, "ZMQ request to " + address + " got no ACK within " + requestTimeout.toMillis() + " ms (DYN_TCP_REQUEST_TIMEOUT)");
        } else {
          wait = Math.min(wait, TimeUnit.NANOSECONDS.toMillis(o.ackDeadline() - now) + 1);
        }
      }
      Outgoing first = unsent.peek();
      if (first != null) {
        wait = Math.min(wait, TimeUnit.NANOSECONDS.toMillis(first.connectDeadline() - now) + 1);
      }
      return wait;
    }

    private void fail(Outgoing o, String why) {
      if (o.ack().completeExceptionally(new DynamoException(ErrorType.CannotConnect, why))) {
        pendingAcks.decrementAndGet();
      }
    }
  }

  private final class Client implements RequestClient {
    private final Map<String, Dealer> dealers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void send(TransportType address, Map<String, String> headers, byte[] payload) throws InterruptedException {
      CompletableFuture<Void> f = sendAsync(address, headers, payload);
      try {
        f.get(requestTimeout.toNanos() + connectTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new DynamoException(ErrorType.CannotConnect, "ZMQ request to " + address.address() + " timed out");
      } catch (ExecutionException e) {
        throw DynamoException.wrap(e.getCause());
      }
    }

    @Override
    public CompletableFuture<Void> sendAsync(TransportType address, Map<String, String> headers, byte[] payload) {
      if (!(address instanceof TransportType.Zmq z)) {
        throw new DynamoException(ErrorType.CannotConnect, "the ZMQ request plane cannot reach " + address);
      }
      if (closed) {
        throw new DynamoException(ErrorType.CannotConnect, "the ZMQ request plane is closed");
      }
      if (payload.length > maxMessageSize) {
        throw new DynamoException(ErrorType.InvalidArgument, "Request payload is too large for this deployment. message too large: "
            + payload.length + " bytes (max: " + maxMessageSize + " bytes) (raise DYN_TCP_MAX_MESSAGE_SIZE on both sides)");
      }
      long now = System.nanoTime();
      byte[] id = Long.toString(ids.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
      CompletableFuture<TcpAck> ack = new CompletableFuture<>();
      Outgoing o = new Outgoing(id, payload, ack, now + connectTimeout.toNanos(), now + connectTimeout.toNanos() + requestTimeout.toNanos());
      pendingAcks.incrementAndGet();
      while (!dealers.computeIfAbsent(z.address(), a -> {
        dealerCount.incrementAndGet();
        return new Dealer(a);
      }).submit(o)) {
        Thread.onSpinWait(); // that DEALER retired idle just now: it leaves the table at once, the next one is new
      }
      return ack.thenApply(a -> {
        DynamoException rejection = a.rejection();
        if (rejection != null) {
          throw rejection;
        }
        return null;
      });
    }

    void closeAll() {
      for (Dealer d : List.copyOf(dealers.values())) {
        d.stop();
      }
      dealers.clear();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    client.closeAll();
    server.closeAll();
    closed = true;
    responses.close();
    context.close();
  }
}
