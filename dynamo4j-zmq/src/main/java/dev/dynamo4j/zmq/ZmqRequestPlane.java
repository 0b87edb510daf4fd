package dev.dynamo4j.zmq;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.network.RequestClient;
import dev.dynamo4j.network.RequestHandler;
import dev.dynamo4j.network.RequestPlane;
import dev.dynamo4j.network.RequestServer;
import dev.dynamo4j.network.ResponsePlane;
import dev.dynamo4j.network.RouteTable;
import dev.dynamo4j.runtime.RuntimeConfig;
import dev.dynamo4j.runtime.TransportType;
import dev.dynamo4j.tcp.TcpCallHome;
import dev.dynamo4j.wire.TcpAck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

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
 * come back over the TCP response plane ({@link TcpCallHome}), as on NATS. Trace headers are not
 * carried (the prototype's layout has no frame for them).
 *
 * <p>Threads: one platform thread owns every ROUTER (polling them, admitting on it: admission
 * never blocks), one owns every DEALER; callers hand requests to it through a queue and a wake-up
 * pipe. Buffers: per socket ZMQ's high-water marks ({@value #HWM} messages) and {@code
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
  private static final long IDLE_POLL_MS = 100;

  private final ZContext context = new ZContext(1);
  private final RouteTable routes;
  private final ResponsePlane responsePlane;
  private final String bindHost;
  private final String advertiseHost;
  private final long maxMessageSize;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Loop serverLoop;
  private final Loop clientLoop;
  private final RequestServer server = new Server();
  private final RequestClient client = new Client();
  private volatile boolean closed;

  public ZmqRequestPlane(RuntimeConfig config) {
    this.routes = new RouteTable(config.tcpWorkerPoolSize(), config.tcpWorkQueueSize());
    String[] hosts = ZmqEventTransport.hosts(config.tcpRpcHost());
    this.bindHost = hosts[0];
    this.advertiseHost = hosts[1];
    this.maxMessageSize = config.tcpMaxMessageSize();
    this.connectTimeout = config.tcpConnectTimeout();
    this.requestTimeout = config.tcpRequestTimeout();
    this.responsePlane = TcpCallHome.create(config);
    this.serverLoop = new Loop("dynamo4j-zmq-rpc-server");
    this.clientLoop = new Loop("dynamo4j-zmq-rpc-client");
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
    return responsePlane;
  }

  /** {@code routers} (endpoints served), {@code dealers} (worker addresses this process talks to), {@code pending_acks}. */
  @Override
  public Map<String, Long> gauges() {
    Map<String, Long> g = new LinkedHashMap<>();
    g.put("routers", (long) routerCount.get());
    g.put("dealers", (long) dealerCount.get());
    g.put("pending_acks", (long) pendingAcks.get());
    return g;
  }

  private final AtomicInteger routerCount = new AtomicInteger();
  private final AtomicInteger dealerCount = new AtomicInteger();
  private final AtomicInteger pendingAcks = new AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicLong MONITORS = new java.util.concurrent.atomic.AtomicLong();

  /**
   * One platform thread owning a set of ZMQ sockets: it runs tasks handed to it (woken through a
   * pipe), polls its sockets, and calls each socket's reader when it is readable.
   */
  private final class Loop implements Runnable {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Pipe pipe;
    private final Map<ZMQ.Socket, Runnable> readers = new LinkedHashMap<>(); // loop thread only
    private final List<Runnable> everyTurn = new ArrayList<>(); // loop thread only
    private ZMQ.Poller poller; // loop thread only; rebuilt when the sockets change
    private long nextWakeMs = IDLE_POLL_MS; // loop thread only
    private final Thread thread;

    Loop(String name) {
      try {
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
      } catch (IOException e) {
        throw new DynamoException(ErrorType.Unavailable, "cannot open the ZMQ request plane's wake-up pipe: " + e.getMessage(), e);
      }
      thread = Thread.ofPlatform().name(name).daemon(true).start(this);
    }

    /** Runs {@code task} on the loop thread, soon. */
    void execute(Runnable task) {
      tasks.add(task);
      if (wakePending.compareAndSet(false, true)) {
        try {
          pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException e) {
          // closed: the loop is ending
        }
      }
    }

    /** Loop thread: reads messages of {@code s} with {@code reader} whenever it is readable. */
    void add(ZMQ.Socket s, Runnable reader) {
      readers.put(s, reader);
      rebuild();
    }

    void remove(ZMQ.Socket s) {
      readers.remove(s);
      rebuild();
    }

    /** Loop thread: the loop waits at most {@code ms} before its next turn (a deadline to look at). */
    void wakeWithin(long ms) {
      nextWakeMs = Math.min(nextWakeMs, Math.max(0, ms));
    }

    private void rebuild() {
      if (poller != null) {
        poller.close();
      }
      poller = context.createPoller(readers.size() + 1);
      poller.register(pipe.source(), ZMQ.Poller.POLLIN);
      for (ZMQ.Socket s : readers.keySet()) {
        poller.register(s, ZMQ.Poller.POLLIN);
      }
    }

    @Override
    public void run() {
      rebuild();
      ByteBuffer drain = ByteBuffer.allocate(64);
      while (!closed) {
        long wait = nextWakeMs;
        nextWakeMs = IDLE_POLL_MS;
        poller.poll(wait);
        try {
          while (pipe.source().read(drain.clear()) > 0) {
            // drained
          }
        } catch (IOException e) {
          return;
        }
        wakePending.set(false);
        Runnable t;
        while ((t = tasks.poll()) != null) {
          runSafely(t);
        }
        for (Runnable reader : new ArrayList<>(readers.values())) {
          runSafely(reader);
        }
        for (Runnable r : everyTurn) {
          runSafely(r);
        }
        // ZMQ's poll signal is edge-triggered and a send on the same socket can consume it: a
        // message that arrived meanwhile would wait for the next timeout. Ask each socket.
        for (ZMQ.Socket s : readers.keySet()) {
          if ((s.getEvents() & ZMQ.Poller.POLLIN) != 0) {
            nextWakeMs = 0;
            break;
          }
        }
      }
      for (ZMQ.Socket s : readers.keySet()) {
        s.close();
      }
      poller.close();
    }

    private void runSafely(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("{}: {}", thread.getName(), e.toString());
      }
    }

    void close() {
      execute(() -> {});
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        pipe.sink().close();
        pipe.source().close();
      } catch (IOException e) {
        // closing
      }
    }
  }

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

  private final class Server implements RequestServer {
    private final Map<String, ZMQ.Socket> routers = new HashMap<>(); // loop thread only

    @Override
    public TransportType register(String routingKey, RequestHandler handler) {
      routes.register(routingKey, handler);
      CompletableFuture<String> bound = new CompletableFuture<>();
      serverLoop.execute(() -> {
        try {
          ZMQ.Socket r = context.createSocket(SocketType.ROUTER);
          r.setLinger(0);
          r.setRcvHWM(HWM);
          r.setSndHWM(HWM);
          r.setMaxMsgSize(maxMessageSize);
          r.setHandshakeIvl(2000);
          r.setIPv6(bindHost.contains(":"));
          String at = "tcp://" + (bindHost.contains(":") ? "[" + bindHost + "]" : bindHost) + ":*";
          r.bind(at);
          String last = r.getLastEndpoint();
          int port = Integer.parseInt(last.substring(last.lastIndexOf(':') + 1));
          routers.put(routingKey, r);
          routerCount.incrementAndGet();
          serverLoop.add(r, () -> serve(r, routingKey));
          bound.complete(ZmqEventTransport.endpoint(advertiseHost, port));
        } catch (RuntimeException e) {
          bound.completeExceptionally(new DynamoException(ErrorType.Unavailable,
              "cannot bind a ZMQ ROUTER for " + routingKey + " on " + bindHost + " (DYN_TCP_RPC_HOST): " + e.getMessage(), e));
        }
      });
      String address;
      try {
        address = await(bound, Duration.ofSeconds(10), "binding the ZMQ ROUTER of " + routingKey);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DynamoException(ErrorType.Cancelled, "interrupted while binding the ZMQ ROUTER of " + routingKey, e);
      } catch (DynamoException e) {
        try {
          routes.unregister(routingKey, Duration.ZERO);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
        throw e;
      }
      log.info("ZMQ request plane: {} served on {}", routingKey, address);
      return new TransportType.Zmq(address);
    }

    @Override
    public int unregister(String routingKey, Duration drain) throws InterruptedException {
      serverLoop.execute(() -> {
        ZMQ.Socket r = routers.remove(routingKey);
        if (r != null) {
          serverLoop.remove(r);
          r.close();
          routerCount.decrementAndGet();
        }
      });
      return routes.unregister(routingKey, drain);
    }
  }

  private long malformedLogged;

  /** Loop thread: every message waiting on {@code r}: admit, answer with the ACK. */
  private void serve(ZMQ.Socket r, String routingKey) {
    byte[] first;
    while ((first = r.recv(ZMQ.DONTWAIT)) != null) {
      List<byte[]> parts = new ArrayList<>(3);
      parts.add(first);
      while (r.hasReceiveMore()) {
        byte[] p = r.recv(0);
        if (parts.size() < 8) {
          parts.add(p);
        }
      }
      byte[] identity = parts.get(0);
      if (parts.size() != 3) {
        if (Long.bitCount(++malformedLogged) == 1) {
          log.warn("ZMQ request plane: a message for {} with {} frames after the identity (expected 2: [request_id][request]); {} such so far",
              routingKey, parts.size() - 1, malformedLogged);
        }
        if (parts.size() >= 2) {
          reply(r, identity, parts.get(1), TcpAck.ofText("Read error: expected 2 frames [request_id][request], got " + (parts.size() - 1)).body());
        }
        continue;
      }
      byte[] requestId = parts.get(1);
      if (requestId.length == 0) {
        reply(r, identity, requestId, TcpAck.ofText("Read error: empty request id").body());
        continue;
      }
      TcpAck ack = routes.accept(routingKey, Map.of(), parts.get(2));
      reply(r, identity, requestId, ack.body());
    }
  }

  private static void reply(ZMQ.Socket r, byte[] identity, byte[] requestId, byte[] ack) {
    // a peer gone meanwhile: ROUTER drops it (no ROUTER_MANDATORY), as a closed TCP connection would
    r.send(identity, ZMQ.SNDMORE | ZMQ.DONTWAIT);
    r.send(requestId, ZMQ.SNDMORE | ZMQ.DONTWAIT);
    r.send(ack, ZMQ.DONTWAIT);
  }

  // ---------------------------------------------------------------- client

  /** A request on its way: what to send, its ACK future and its deadlines. */
  private record Outgoing(String address, byte[] requestId, byte[] payload, CompletableFuture<TcpAck> ack, long connectDeadline, long ackDeadline) {}

  /** The DEALER to one worker address, and its requests (loop thread only). */
  private final class Dealer {
    final String address;
    final ZMQ.Socket socket;
    final ArrayDeque<Outgoing> unsent = new ArrayDeque<>();
    final Map<String, Outgoing> waiting = new HashMap<>();
    final ZMQ.Socket monitor;
    /** Whether a connection is up: JeroMQ can take a first send on a pipe it then drops, so nothing is sent before its handshake event. */
    boolean ready;

    Dealer(String address) {
      this.address = address;
      socket = context.createSocket(SocketType.DEALER);
      socket.setLinger(0);
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
      String monitorAt = "inproc://dynamo4j-zmq-dealer-" + MONITORS.incrementAndGet();
      socket.monitor(monitorAt, ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
      monitor = context.createSocket(SocketType.PAIR);
      monitor.connect(monitorAt);
      socket.connect(address);
    }

    /** The socket monitor's events: a finished handshake opens the way, a lost connection fails what waits for an ACK at once. */
    void onMonitor() {
      ZMQ.Event ev;
      while ((ev = ZMQ.Event.recv(monitor, ZMQ.DONTWAIT)) != null) {
        if (ev.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
          ready = true;
          flush(System.nanoTime());
        } else if (ev.getEvent() == ZMQ.EVENT_DISCONNECTED) {
          ready = false;
          for (Outgoing o : waiting.values()) {
            fail(o, "the ZMQ connection to " + address + " was lost before the worker's ACK");
          }
          waiting.clear();
        }
      }
    }

    /** Sends what it can; what cannot go yet stays, until its connect deadline. */
    void flush(long now) {
      while (!unsent.isEmpty()) {
        Outgoing o = unsent.peek();
        if (o.ack().isDone()) {
          unsent.poll();
          continue;
        }
        if (ready && socket.send(o.requestId(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
          socket.send(o.payload(), ZMQ.DONTWAIT); // the rest of a message always goes once its first frame did
          unsent.poll();
          waiting.put(new String(o.requestId(), StandardCharsets.US_ASCII), o);
          continue;
        }
        if (now - o.connectDeadline() >= 0) {
          unsent.poll();
          fail(o, "no ZMQ connection to " + address + " within " + connectTimeout.toMillis() + " ms (DYN_TCP_CONNECT_TIMEOUT)");
          continue;
        }
        // the handshake event wakes the loop; until then, look again at the connect deadline
        clientLoop.wakeWithin(ready ? 5 : TimeUnit.NANOSECONDS.toMillis(o.connectDeadline() - now) + 1);
        return;
      }
    }

    /** Every ACK waiting on the socket. */
    void read() {
      byte[] id;
      while ((id = socket.recv(ZMQ.DONTWAIT)) != null) {
        byte[] ack = socket.hasReceiveMore() ? socket.recv(0) : null;
        while (socket.hasReceiveMore()) {
          socket.recv(0); // more than [request_id][ack]: not ours to read
        }
        Outgoing o = waiting.remove(new String(id, StandardCharsets.US_ASCII));
        if (o == null) {
          continue; // timed out already
        }
        pendingAcks.decrementAndGet();
        if (ack == null) {
          o.ack().completeExceptionally(new DynamoException(ErrorType.CannotConnect, "ZMQ worker at " + address + " answered without an ACK frame"));
        } else {
          o.ack().complete(new TcpAck(ack));
        }
      }
    }

    /** Fails what waited past its ACK deadline. */
    void expire(long now) {
      for (Iterator<Outgoing> it = waiting.values().iterator(); it.hasNext(); ) {
        Outgoing o = it.next();
        if (now - o.ackDeadline() >= 0) {
          it.remove();
          fail(o, "ZMQ request to " + address + " got no ACK within " + requestTimeout.toMillis() + " ms (DYN_TCP_REQUEST_TIMEOUT)");
        } else {
          clientLoop.wakeWithin(TimeUnit.NANOSECONDS.toMillis(o.ackDeadline() - now) + 1);
        }
      }
    }

    void fail(Outgoing o, String why) {
      pendingAcks.decrementAndGet();
      o.ack().completeExceptionally(new DynamoException(ErrorType.CannotConnect, why));
    }

    void close(String why) {
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
    }
  }

  private final class Client implements RequestClient {
    private final Map<String, Dealer> dealers = new HashMap<>(); // loop thread only
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private boolean turnHookAdded; // loop thread only

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
      Outgoing o = new Outgoing(z.address(), id, payload, ack, now + connectTimeout.toNanos(), now + connectTimeout.toNanos() + requestTimeout.toNanos());
      pendingAcks.incrementAndGet();
      clientLoop.execute(() -> enqueue(o));
      return ack.thenApply(a -> {
        DynamoException rejection = a.rejection();
        if (rejection != null) {
          throw rejection;
        }
        return null;
      });
    }

    /** Loop thread. */
    private void enqueue(Outgoing o) {
      if (!turnHookAdded) {
        turnHookAdded = true;
        clientLoop.everyTurn.add(this::turn);
      }
      Dealer d = dealers.get(o.address());
      if (d == null) {
        Dealer nd = new Dealer(o.address());
        d = nd;
        dealers.put(o.address(), nd);
        dealerCount.incrementAndGet();
        clientLoop.add(nd.socket, nd::read);
        clientLoop.add(nd.monitor, nd::onMonitor);
      }
      d.unsent.add(o);
      d.flush(System.nanoTime());
    }

    /** Loop thread, every turn: send what waited for a connection, fail what is late. */
    private void turn() {
      long now = System.nanoTime();
      for (Dealer d : dealers.values()) {
        d.flush(now);
        d.expire(now);
      }
    }

    void closeAll() {
      for (Dealer d : dealers.values()) {
        clientLoop.remove(d.socket);
        clientLoop.remove(d.monitor);
        d.close("the ZMQ request plane is closed");
      }
      dealers.clear();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    clientLoop.execute(() -> {
      ((Client) client).closeAll();
      done.complete(null);
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("ZMQ request plane: closing the DEALERs: {}", e.toString());
    }
    closed = true;
    serverLoop.close();
    clientLoop.close();
    responsePlane.close();
    context.close();
  }
}
