package dev.dynamo4j.zmq;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.spi.discovery.EventChannelTransport.Zmq;
import dev.dynamo4j.spi.discovery.EventChannelTransport;
import dev.dynamo4j.spi.discovery.EventQuery;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.WireFormatException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * Dynamo's default event plane, brokerless ZMQ ("direct mode"), or through XSUB/XPUB brokers.
 *
 * <p><b>Publishing.</b> Each publication binds its own PUB socket on {@code
 * tcp://<host>:*} (SNDHWM 100000, linger 500 ms), reads the real port back and registers an {@code
 * EventChannel} record {@code {"kind":"Zmq","config":{"endpoint":"tcp://<host>:<port>"}}} under
 * the publisher id; close withdraws it. Each event is the 4-part message [topic][publisher id
 * u64 BE][sequence u64 BE][event frame], the frame and envelope encoded into one array, the id
 * frame shared by every message. {@link EventPublisher} calls one publication from one thread at
 * a time, in sequence order, so there is no lock here. {@code DYN_ZMQ_SEND_TIMEOUT_MS} ({@link
 * ZmqEventOptions}): 0 (default, Dynamo's fail-fast) sends with DONTWAIT and a subscriber past
 * its high-water mark misses events (it counts the gaps); otherwise the socket does not drop
 * ({@code XPUB_NODROP}) and a send waits that long for room, then the event is dropped and
 * counted by the publisher.
 *
 * <p><b>Broker mode.</b> A publisher connects an XPUB (a PUB that also reports subscriptions;
 * the same on the wire) to every XSUB and, before its first event, waits up to {@code
 * DYN_ZMQ_BROKER_READY_TIMEOUT_MS} for the ZMTP handshake with each (socket monitor;
 * {@code Unavailable} when one does not come), then up to 250 ms more for the broker's
 * subscriptions to reach it, so a subscriber that is already there gets the first event.
 *
 * <p><b>Subscribing.</b> A subscription is read by its reader: the thread that calls {@code
 * next}/{@code poll}/{@code drainTo} reads the SUB socket (direct mode: one per publisher found in
 * discovery, read in turn; broker mode: one connected to every broker) itself, under a lock, in
 * slices of at most 100 ms, so an event costs no hand-off between threads. A virtual thread
 * follows discovery for exactly that scope and topic and queues connect/disconnect commands,
 * applied between slices (or by that thread when nobody is reading). Every message is validated
 * and decoded once (4 parts, exact topic, 8-byte ids, frame version and length, the envelope, its
 * identity equal to the id frames); a bad one is dropped with a warning, counted ({@code
 * malformed}) and reading goes on. Buffering: ZMQ's RCVHWM (default 100000) per socket only; a
 * reader that stops reading pushes back to the publishers (which drop, or wait per {@code
 * DYN_ZMQ_SEND_TIMEOUT_MS}), so memory stays bounded and loss shows up as gaps. Readers may be
 * virtual threads: JeroMQ waits in an NIO selector, which a virtual thread leaves its carrier
 * for (measured on JDK 25: six virtual threads waiting in JeroMQ receives on two carriers, and
 * another virtual thread still ran within 3 ms).
 *
 * <p><b>Address.</b> {@code DYN_EVENT_PLANE_HOST} unset means 127.0.0.1 (dynamo4j never
 * advertises a network the operator did not choose; Dynamo auto-detects). It takes an IP
 * (IPv6 with or without brackets), an interface name, or {@code auto}. JeroMQ handshakes that
 * stall are bounded by a 2 s handshake interval and retried every 100 ms.
 */
public final class ZmqEventTransport implements EventTransport {
  private static final Logger log = LoggerFactory.getLogger(ZmqEventTransport.class);
  static final int SNDHWM = 100_000;

  private final ZContext context;
  private final ZAuth auth; // the ZAP handler when CURVE is on
  private final ZmqEventOptions options;
  private final AtomicLong monitors = new AtomicLong();
  private final Discovery discovery;
  private final String bindHost;
  private final String advertiseHost;
  private final int rcvHwm;
  private final BrokerUrls staticBrokers;
  private final boolean discoverBrokers;

  public ZmqEventTransport(Discovery discovery, String eventPlaneHost, int rcvHwm) {
    this(discovery, eventPlaneHost, rcvHwm, null, false, ZmqEventOptions.DEFAULTS);
  }

  /**
   * @param brokers broker mode with these brokers ({@code DYN_ZMQ_BROKER_URL}), or {@code null}
   * @param discoverBrokers broker mode with the brokers registered in discovery for the scope's
   *     namespace ({@code DYN_ZMQ_BROKER_ENABLED}); ignored when {@code brokers} is given
   */
  /** With the default {@link ZmqEventOptions}. */
  public ZmqEventTransport(Discovery discovery, String eventPlaneHost, int rcvHwm, BrokerUrls brokers, boolean discoverBrokers) {
    this(discovery, eventPlaneHost, rcvHwm, brokers, discoverBrokers, ZmqEventOptions.DEFAULTS);
  }

  /**
   * @param options I/O threads, send timeout and broker readiness deadline ({@code DYN_ZMQ_*})
   */
  public ZmqEventTransport(
      Discovery discovery, String eventPlaneHost, int rcvHwm, BrokerUrls brokers, boolean discoverBrokers, ZmqEventOptions options) {
    this.options = options;
    this.context = new ZContext(options.ioThreads());
    // a ZContext gives every socket it creates its linger (and sets it again on the sockets it
    // closes itself): 500 ms, so a closing publisher's queued events get half a second; the
    // subscribers set 0
    context.setLinger(500);
    this.auth = ZmqCurve.authenticator(context, options.curve());
    this.staticBrokers = brokers;
    this.discoverBrokers = brokers == null && discoverBrokers;
    if (rcvHwm <= 0) {
      throw new DynamoException(ErrorType.InvalidArgument, "RCVHWM must be > 0, got " + rcvHwm);
    }
    this.discovery = discovery;
    this.rcvHwm = rcvHwm;
    String[] hosts = hosts(eventPlaneHost);
    this.bindHost = hosts[0];
    this.advertiseHost = hosts[1];
  }

  static String[] hosts(String configured) {
    if (configured == null || configured.isBlank()) {
      return new String[] {"127.0.0.1", "127.0.0.1"};
    }
    String c = configured.trim();
    if (c.equals("auto")) {
      try {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          if (nif.isUp() && !nif.isLoopback()) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
              if (a instanceof Inet4Address) {
                return new String[] {"*", a.getHostAddress()};
              }
            }
          }
        }
      } catch (SocketException e) {
        throw new DynamoException(ErrorType.Unavailable, "cannot list interfaces for DYN_EVENT_PLANE_HOST=auto: " + e.getMessage(), e);
      }
      throw new DynamoException(ErrorType.Unavailable, "DYN_EVENT_PLANE_HOST=auto found no non-loopback IPv4 address");
    }
    try {
      NetworkInterface nif = NetworkInterface.getByName(c);
      if (nif != null) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return new String[] {a.getHostAddress(), a.getHostAddress()};
          }
        }
      }
    } catch (SocketException e) {
      // not an interface: an address
    }
    String bare = c.startsWith("[") && c.endsWith("]") ? c.substring(1, c.length() - 1) : c;
    return new String[] {bare, bare};
  }

  /** {@code tcp://host:port}, IPv6 in brackets (Dynamo's endpoint formatting). */
  static String endpoint(String host, int port) {
    return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String name() {
    return "zmq";
  }

  /** The brokers to use for {@code scope}, or {@code null} in direct mode. */
  private BrokerUrls brokersFor(EventScope scope) {
    if (staticBrokers != null) {
      return staticBrokers;
    }
    if (!discoverBrokers) {
      return null;
    }
    String ns = switch (scope) {
      case EventScope.Namespace n -> n.name();
      case EventScope.Component c -> c.namespace();
      case EventScope.Endpoint e -> e.namespace();
    };
    List<String> xsub = new ArrayList<>();
    List<String> xpub = new ArrayList<>();
    for (DiscoveryInstance i : discovery.list(new DiscoveryQuery.EventChannels(EventQuery.of(new EventScope.Component(ns, ZmqBroker.COMPONENT))))) {
      if (i instanceof DiscoveryInstance.EventChannel ch && ch.transport() instanceof EventChannelTransport.ZmqBroker b) {
        xsub.addAll(b.xsubEndpoints());
        xpub.addAll(b.xpubEndpoints());
      }
    }
    if (xsub.isEmpty() || xpub.isEmpty()) {
      throw new DynamoException(ErrorType.Unavailable, "DYN_ZMQ_BROKER_ENABLED is set but no broker found in discovery for namespace '" + ns + "'");
    }
    return new BrokerUrls(xsub, xpub);
  }

  /** Applies {@code DYN_ZMQ_SEND_TIMEOUT_MS}; returns the send flags to use. */
  private int configureSend(ZMQ.Socket pub) {
    pub.setSndHWM(SNDHWM);
    // on close, queued events get half a second to leave (the linger the context gave it)
    pub.setHandshakeIvl(2000); // a stalled JeroMQ handshake is dropped and retried, not waited out for 30 s
    Duration t = options.sendTimeout();
    if (t.isZero()) {
      return ZMQ.DONTWAIT; // Dynamo: SNDTIMEO 0, a full subscriber misses the event
    }
    pub.setXpubNoDrop(true);
    pub.setSendTimeOut(t.equals(ZmqEventOptions.FOREVER) ? -1 : (int) Math.min(Integer.MAX_VALUE, t.toMillis()));
    return 0;
  }

  /** The 4-part sender shared by both modes; called by one thread at a time (see {@link EventPublisher}). */
  private abstract static class Sender implements Publication {
    private final ZMQ.Socket pub;
    private final byte[] frame0;
    private final int flags;
    private byte[] pidBytes;
    private long pid = -1;
    volatile boolean closed;

    Sender(ZMQ.Socket pub, byte[] frame0, int flags) {
      this.pub = pub;
      this.frame0 = frame0;
      this.flags = flags;
    }

    @Override
    public boolean send(EventEnvelope e) {
      if (closed) {
        throw new DynamoException(ErrorType.Unavailable, "publisher " + Long.toHexString(e.publisherId()) + " is closed");
      }
      if (e.publisherId() != pid || pidBytes == null) {
        pid = e.publisherId();
        pidBytes = u64(pid); // never modified, so every message can share it
      }
      byte[] framed = e.encodeFramed();
      if (!pub.send(frame0, ZMQ.SNDMORE | flags)) {
        return false; // at the high-water mark (past the send timeout): nothing of this message left
      }
      pub.send(pidBytes, ZMQ.SNDMORE | flags);
      pub.send(u64(e.sequence()), ZMQ.SNDMORE | flags);
      pub.send(framed, flags);
      return true;
    }
  }

  /** Broker mode: an XPUB connected to every XSUB, frame 0 = the scoped subject, no discovery record. */
  private Publication publishViaBrokers(BrokerUrls brokers, EventScope scope, String topic) {
    ZMQ.Socket pub = context.createSocket(SocketType.XPUB);
    int flags = configureSend(pub);
    pub.setReconnectIVL(100);
    ZmqCurve.client(pub, options.curve());
    String monitorAddress = "inproc://dynamo4j-zmq-pub-monitor-" + monitors.incrementAndGet();
    pub.monitor(monitorAddress, ZMQ.EVENT_HANDSHAKE_PROTOCOL);
    ZMQ.Socket monitor = context.createSocket(SocketType.PAIR);
    try {
      monitor.connect(monitorAddress);
      for (String url : brokers.xsub()) {
        pub.connect(url);
      }
      awaitBrokers(pub, monitor, brokers, scope.subject(topic));
    } catch (RuntimeException e) {
      pub.close();
      throw e;
    } finally {
      pub.monitor(null, 0);
      monitor.close();
    }
    return new Sender(pub, scope.subject(topic).getBytes(StandardCharsets.UTF_8), flags) {
      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          pub.close();
        }
      }
    };
  }

  /**
   * Waits for the ZMTP handshake with every XSUB (the socket monitor), then briefly for the
   * brokers' subscriptions to arrive (an XPUB reports them), so a subscriber already present gets
   * the first event.
   */
  private void awaitBrokers(ZMQ.Socket pub, ZMQ.Socket monitor, BrokerUrls brokers, String subject) {
    long deadline = System.nanoTime() + options.brokerReadyTimeout().toNanos();
    int handshakes = 0;
    while (handshakes < brokers.xsub().size()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DynamoException(ErrorType.Unavailable, "ZMQ broker XSUB " + brokers.xsub() + ": " + handshakes + " of " + brokers.xsub().size()
            + " handshakes within " + options.brokerReadyTimeout().toMillis() + " ms (DYN_ZMQ_BROKER_READY_TIMEOUT_MS)");
      }
      monitor.setReceiveTimeOut((int) Math.max(1, Math.min(100, left / 1_000_000)));
      ZMQ.Event ev = ZMQ.Event.recv(monitor);
      if (ev != null && ev.getEvent() == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
        handshakes++;
      }
    }
    long subsDeadline = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250));
    byte[] want = subject.getBytes(StandardCharsets.UTF_8);
    while (System.nanoTime() < subsDeadline) {
      pub.setReceiveTimeOut((int) Math.max(1, (subsDeadline - System.nanoTime()) / 1_000_000));
      byte[] m = pub.recv(0);
      if (m == null) {
        break; // no subscriber yet: nobody to lose the first event
      }
      // [1 | prefix] subscribes; a prefix of our subject (or empty) means someone listens to us
      if (m.length >= 1 && m[0] == 1 && m.length - 1 <= want.length && Arrays.equals(m, 1, m.length, want, 0, m.length - 1)) {
        return;
      }
    }
  }

  @Override
  public Publication publish(EventScope scope, String topic, long publisherId) {
    BrokerUrls brokers = brokersFor(scope);
    if (brokers != null) {
      return publishViaBrokers(brokers, scope, topic);
    }
    ZMQ.Socket pub = context.createSocket(SocketType.PUB);
    int flags = configureSend(pub);
    ZmqCurve.server(pub, options.curve());
    pub.setIPv6(bindHost.contains(":"));
    String bindAt = "tcp://" + (bindHost.contains(":") ? "[" + bindHost + "]" : bindHost) + ":*";
    try {
      pub.bind(bindAt);
    } catch (RuntimeException e) {
      pub.close();
      throw new DynamoException(ErrorType.Unavailable, "cannot bind a ZMQ publisher on " + bindAt + " (DYN_EVENT_PLANE_HOST): " + e.getMessage(), e);
    }
    String last = pub.getLastEndpoint();
    int port = Integer.parseInt(last.substring(last.lastIndexOf(':') + 1));
    String advertised = endpoint(advertiseHost, port);
    DiscoveryInstance record;
    try {
      record = discovery.register(new DiscoverySpec.EventChannel(scope, topic, publisherId, new Zmq(advertised)));
    } catch (RuntimeException e) {
      pub.close();
      throw e;
    }
    log.debug("ZMQ publisher {} of {} on {}", Long.toHexString(publisherId), scope.subject(topic), advertised);
    return new Sender(pub, topic.getBytes(StandardCharsets.UTF_8), flags) {
      @Override
      public synchronized void close() {
        if (closed) {
          return;
        }
        closed = true;
        try {
          discovery.unregister(record);
        } catch (RuntimeException e) {
          log.warn("could not withdraw ZMQ publisher {}: {}", advertised, e.toString());
        }
        pub.close();
      }
    };
  }

  static final int DEDUP_WINDOW = 100_000;

  /** The last {@code capacity} (publisher id, sequence) pairs seen, for multi-broker deduplication. */
  static final class Dedup {
    private final Set<String> seen;

    @SuppressWarnings("serial")
    Dedup(int capacity) {
      this.seen = Collections.newSetFromMap(new LinkedHashMap<String, Boolean>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > capacity;
        }
      });
    }

    /** True the first time a pair is seen within the window. */
    boolean firstTime(long pid, long seq) {
      return seen.add(pid + ":" + seq);
    }
  }

  static byte[] u64(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  /** The u64 BE of an 8-byte frame. */
  static long u64(byte[] b) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }

  @Override
  public Subscription subscribe(EventScope scope, String topic) {
    return new Sub(scope, topic, brokersFor(scope));
  }

  @Override
  public void close() {
    if (auth != null) {
      auth.close();
    }
    context.close();
  }

  /**
   * One subscription. Direct mode: one SUB socket per publisher found in discovery, so each
   * message is known to come from the connection made for that publisher's record, and a message
   * carrying another publisher id is dropped and counted as malformed (a spoofing publisher
   * cannot inject events under, or suppress the events of, another one; Dynamo binds each direct
   * source to its expected id the same way). Reads take the publishers' sockets in turn, one
   * message each, and wait on a poller over all of them. Broker mode: one socket connected to
   * every broker, deduplicated when there are several (the brokers' XPUB carries every
   * publisher, so ids cannot be bound to connections there).
   */
  private final class Sub implements Subscription {
    private static final int SLICE_MS = 100;
    /** Expected publisher id of a broker connection: any. */
    private static final long ANY_PUBLISHER = Long.MIN_VALUE;
    private final String topic;
    private final byte[] topicBytes;
    private final byte[] routingKey;
    private final BrokerUrls brokers;
    private final Dedup dedup;
    private final ReentrantLock socketLock = new ReentrantLock();
    private final ZMQ.Socket brokerSocket; // broker mode only; guarded by socketLock
    private final Map<Long, ZMQ.Socket> publisherSockets = new LinkedHashMap<>(); // direct mode; guarded by socketLock
    private ZMQ.Socket[] ring = new ZMQ.Socket[0]; // the sockets read in turn; guarded by socketLock
    private long[] ringIds = new long[0]; // the publisher id each ring socket was made for
    private ZMQ.Poller poller; // over the ring; rebuilt when it changes; guarded by socketLock
    private int cursor; // the ring socket to try first; guarded by socketLock
    private int receiveTimeout = -2; // RCVTIMEO of the lone ring socket; guarded by socketLock
    private final byte[][] parts = new byte[8][]; // guarded by socketLock
    private volatile long malformed; // written under socketLock
    private long spoofed; // guarded by socketLock
    private final ConcurrentLinkedQueue<String[]> commands = new ConcurrentLinkedQueue<>();
    private final Map<Long, String> connected = new HashMap<>(); // guarded by socketLock
    private volatile int connectedCount;
    private final DiscoveryWatch watch;
    private final Thread watchThread;
    private volatile boolean closed;

    Sub(EventScope scope, String topic, BrokerUrls brokers) {
      this.topic = topic;
      this.topicBytes = topic.getBytes(StandardCharsets.UTF_8);
      this.brokers = brokers;
      this.routingKey = brokers == null ? topicBytes : scope.subject(topic).getBytes(StandardCharsets.UTF_8);
      this.dedup = brokers != null && brokers.xpub().size() > 1 ? new Dedup(DEDUP_WINDOW) : null;
      if (brokers == null) {
        this.brokerSocket = null;
        this.watch = discovery.listAndWatch(new DiscoveryQuery.EventChannels(EventQuery.of(scope, topic)));
        this.watchThread = Thread.ofVirtual().name("dynamo4j-zmq-sub-watch-" + topic).start(this::follow);
      } else {
        this.brokerSocket = newSocket();
        ring = new ZMQ.Socket[] {brokerSocket};
        ringIds = new long[] {ANY_PUBLISHER};
        poller = null;
        this.watch = null;
        this.watchThread = null;
        for (int i = 0; i < brokers.xpub().size(); i++) {
          commands.add(new String[] {"connect", Integer.toString(-1 - i), brokers.xpub().get(i)});
        }
        applyCommandsIfFree();
      }
    }

    private ZMQ.Socket newSocket() {
      ZMQ.Socket sub = context.createSocket(SocketType.SUB);
      sub.setRcvHWM(rcvHwm);
      sub.setMaxMsgSize(options.maxMessageBytes()); // a larger part drops its connection before it is allocated
      sub.setLinger(0);
      sub.setReconnectIVL(100);
      sub.setReconnectIVLMax(5000);
      sub.setHandshakeIvl(2000);
      sub.setTCPKeepAlive(1);
      ZmqCurve.client(sub, options.curve());
      sub.subscribe(routingKey);
      return sub;
    }

    /** Under socketLock: the ring and its poller after the publishers changed. */
    private void rebuildRing() {
      if (poller != null) {
        poller.close();
        poller = null;
      }
      ring = publisherSockets.values().toArray(ZMQ.Socket[]::new);
      receiveTimeout = -2;
      ringIds = publisherSockets.keySet().stream().mapToLong(Long::longValue).toArray();
      cursor = 0;
    }

    /** Under socketLock: a poller over the ring, made when first needed. */
    private ZMQ.Poller poller() {
      if (poller == null) {
        poller = context.createPoller(ring.length);
        for (ZMQ.Socket s : ring) {
          poller.register(s, ZMQ.Poller.POLLIN);
        }
      }
      return poller;
    }

    private void follow() {
      try {
        DiscoveryEvent e;
        while ((e = watch.next()) != null) {
          switch (e) {
            case DiscoveryEvent.Added a when a.instance() instanceof DiscoveryInstance.EventChannel ch -> {
              if (ch.transport() instanceof Zmq z) {
                commands.add(new String[] {"connect", Long.toString(ch.instanceId()), z.endpoint()});
              } else {
                log.warn("publisher {} of {} is not on ZMQ ({}); ignored", Long.toHexString(ch.instanceId()), topic, ch.transport());
              }
            }
            case DiscoveryEvent.Removed r -> commands.add(new String[] {"disconnect", Long.toString(r.id().instanceId()), null});
            default -> {}
          }
          applyCommandsIfFree();
        }
      } catch (InterruptedException ie) {
        // closing
      } catch (RuntimeException ex) {
        log.warn("discovery watch of ZMQ subscriber {} ended: {}", topic, ex.toString());
      }
    }

    /** Applies pending commands now unless a reader holds the socket (it applies them within one slice). */
    private void applyCommandsIfFree() {
      if (socketLock.tryLock()) {
        try {
          applyCommands();
        } finally {
          socketLock.unlock();
        }
      }
    }

    /** Under socketLock. */
    private void applyCommands() {
      if (closed) {
        return;
      }
      String[] cmd;
      while ((cmd = commands.poll()) != null) {
        apply(cmd);
      }
    }

    private void apply(String[] cmd) {
      long id = Long.parseLong(cmd[1]);
      if (cmd[0].equals("connect")) {
        if (!connected.containsKey(id)) {
          if (brokerSocket != null) {
            brokerSocket.connect(cmd[2]);
          } else {
            ZMQ.Socket s = newSocket();
            s.connect(cmd[2]);
            publisherSockets.put(id, s);
            rebuildRing();
          }
          connected.put(id, cmd[2]);
          log.debug("subscriber {} connected to publisher {} at {}", topic, Long.toHexString(id), cmd[2]);
        }
      } else {
        String ep = connected.remove(id);
        if (ep != null) {
          if (brokerSocket != null) {
            brokerSocket.disconnect(ep);
          } else {
            ZMQ.Socket s = publisherSockets.remove(id);
            rebuildRing();
            s.close();
          }
          log.debug("subscriber {} disconnected from publisher {} at {}", topic, Long.toHexString(id), ep);
        }
      }
      connectedCount = connected.size();
    }

    /**
     * Under socketLock: the next valid envelope, waiting until {@code deadline} (System.nanoTime)
     * when {@code wait}, else only what is already there; null when none came or on close.
     */
    private EventEnvelope read(long deadline, boolean wait) throws InterruptedException {
      while (!closed) {
        applyCommands();
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        // every socket once, without waiting, from the one after the last that gave a message
        ZMQ.Socket[] r = ring;
        for (int k = 0; k < r.length; k++) {
          int i = (cursor + k) % r.length;
          byte[] first = receive(r[i], ZMQ.DONTWAIT);
          if (first != null) {
            cursor = (i + 1) % r.length;
            EventEnvelope env = readRest(r[i], first, ringIds[i]);
            if (env != null) {
              return env;
            }
            k = -1; // a dropped message: scan again, from the next socket
          }
        }
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (!wait || left <= 0) {
          return null;
        }
        // whole slices, so commands and close are looked at again at least every SLICE_MS
        int ms = left >= TimeUnit.MILLISECONDS.toNanos(SLICE_MS) ? SLICE_MS : (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        int ready = 0;
        if (r.length == 1) {
          // one socket (broker mode; direct mode with one publisher): wait in its own receive
          if (ms != receiveTimeout) {
            r[0].setReceiveTimeOut(ms);
            receiveTimeout = ms;
          }
          byte[] first = receive(r[0], 0);
          if (first != null) {
            EventEnvelope env = readRest(r[0], first, ringIds[0]);
            if (env != null) {
              return env;
            }
            continue;
          }
        } else if (r.length == 0) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms)); // no publisher yet: the watch adds one
          if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while reading ZMQ subscription " + topic);
          }
        } else {
          try {
            ready = poller().poll(ms);
            if (ready < 0 && !closed) {
              throw new InterruptedException("interrupted while reading ZMQ subscription " + topic); // JeroMQ's poll: EINTR
            }
          } catch (ZMQException e) {
            if (closed) {
              return null;
            }
            if (e.getErrorCode() == ZError.EINTR) {
              throw new InterruptedException("interrupted while reading ZMQ subscription " + topic);
            }
            throw e;
          }
          if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while reading ZMQ subscription " + topic);
          }
        }
        if (ready <= 0 && (deadline == Long.MAX_VALUE || deadline - System.nanoTime() <= 0)) {
          return null; // a slice ended (next() calls again, re-checking close and commands) or the deadline passed
        }
      }
      return null;
    }

    /** One part without waiting (null when none), or the interrupt the socket saw. */
    private byte[] receive(ZMQ.Socket sock, int flags) throws InterruptedException {
      byte[] b;
      try {
        b = sock.recv(flags);
      } catch (ZMQException e) {
        if (closed) {
          return null;
        }
        if (e.getErrorCode() == ZError.EINTR) {
          throw new InterruptedException("interrupted while reading ZMQ subscription " + topic);
        }
        throw e;
      }
      if (b == null && (Thread.interrupted() || sock.errno() == ZError.EINTR)) {
        // JeroMQ answers an interrupt with EINTR and may have cleared the thread's flag
        throw new InterruptedException("interrupted while reading ZMQ subscription " + topic);
      }
      return b;
    }

    /** The rest of the message whose first part is {@code first}, validated; null when dropped. */
    private EventEnvelope readRest(ZMQ.Socket sock, byte[] first, long expectedPublisher) {
      int n = 0;
      parts[n++] = first;
      while (sock.hasReceiveMore()) {
        byte[] p = sock.recv(0);
        if (n < parts.length) {
          parts[n] = p;
        }
        n++;
      }
      return validate(parts, n, expectedPublisher);
    }

    /** The decoded envelope of a valid message, or {@code null} (counted, with a warning) for anything else. */
    private EventEnvelope validate(byte[][] parts, int n, long expectedPublisher) {
      if (n != 4) {
        malformed++;
        log.warn("dropping a {}-part message on {} (expected 4)", n, topic);
        return null;
      }
      if (!Arrays.equals(parts[0], routingKey)) {
        return null; // a prefix match such as "<topic>-prefix-collision": not ours
      }
      if (parts[1].length != 8 || parts[2].length != 8) {
        malformed++;
        log.warn("dropping a message on {} with id frames of {} and {} bytes (expected 8)", topic, parts[1].length, parts[2].length);
        return null;
      }
      EventEnvelope env;
      try {
        env = EventEnvelope.decodeFrame(parts[3], topic);
      } catch (WireFormatException e) {
        malformed++;
        log.warn("dropping a malformed event on {}: {}", topic, e.getMessage());
        return null;
      }
      long pid = u64(parts[1]);
      long seq = u64(parts[2]);
      if (env.publisherId() != pid || env.sequence() != seq || !env.topic().equals(topic)) {
        malformed++;
        log.warn("dropping an event on {} whose envelope (publisher {}, seq {}) does not match its frames (publisher {}, seq {})",
            topic, env.publisherId(), env.sequence(), pid, seq);
        return null;
      }
      if (expectedPublisher != ANY_PUBLISHER && pid != expectedPublisher) {
        malformed++;
        spoofed++;
        if (Long.bitCount(spoofed) == 1) { // the 1st, 2nd, 4th, 8th ... : a flood does not flood the log
          log.warn("dropping an event on {} that claims publisher {} but came from the connection to publisher {} ({} such so far)",
              topic, Long.toHexString(pid), Long.toHexString(expectedPublisher), spoofed);
        }
        return null;
      }
      if (dedup != null && !dedup.firstTime(pid, seq)) {
        return null; // the same event through another broker
      }
      return env;
    }

    @Override
    public EventEnvelope next() throws InterruptedException {
      socketLock.lockInterruptibly();
      try {
        while (!closed) {
          EventEnvelope e = read(Long.MAX_VALUE, true); // returns at the end of each slice (commands, close)
          if (e != null) {
            return e;
          }
        }
        return null;
      } finally {
        socketLock.unlock();
      }
    }

    @Override
    public EventEnvelope poll(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      if (!socketLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return null;
      }
      try {
        return read(deadline, !timeout.isZero() && !timeout.isNegative());
      } finally {
        socketLock.unlock();
      }
    }

    @Override
    public int drainTo(Collection<? super EventEnvelope> sink, int max) throws InterruptedException {
      if (!socketLock.tryLock()) {
        return 0;
      }
      try {
        int n = 0;
        EventEnvelope e;
        while (n < max && (e = read(0, false)) != null) {
          sink.add(e);
          n++;
        }
        return n;
      } finally {
        socketLock.unlock();
      }
    }

    @Override
    public long malformed() {
      return malformed;
    }

    @Override
    public int connectedPublishers() {
      return connectedCount;
    }

    /** Ends a blocked reader within one slice (100 ms), then closes the socket. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (watch != null) {
        watch.close();
        watchThread.interrupt();
      }
      socketLock.lock();
      try {
        if (poller != null) {
          poller.close();
        }
        if (brokerSocket != null) {
          brokerSocket.close();
        }
        for (ZMQ.Socket sock : publisherSockets.values()) {
          sock.close();
        }
      } finally {
        socketLock.unlock();
      }
    }
  }
}
