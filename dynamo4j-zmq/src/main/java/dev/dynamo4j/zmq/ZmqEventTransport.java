package dev.dynamo4j.zmq;

import dev.dynamo4j.discovery.Discovery;
import dev.dynamo4j.discovery.DiscoveryEvent;
import dev.dynamo4j.discovery.DiscoveryInstance;
import dev.dynamo4j.discovery.DiscoveryQuery;
import dev.dynamo4j.discovery.DiscoverySpec;
import dev.dynamo4j.discovery.DiscoveryWatch;
import dev.dynamo4j.discovery.EventQuery;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.EventTransport.Zmq;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.EventFrame;
import dev.dynamo4j.wire.WireFormatException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Dynamo's default event plane, brokerless ZMQ ("direct mode").
 *
 * <p><b>Publishing.</b> Each publication binds its own PUB socket on {@code
 * tcp://<host>:*} (SNDHWM 100000, linger 500 ms), reads the real port back and registers an {@code
 * EventChannel} record {@code {"kind":"Zmq","config":{"endpoint":"tcp://<host>:<port>"}}} under
 * the publisher id; close withdraws it. Each event is the 4-part message [topic][publisher id
 * u64 BE][sequence u64 BE][event frame], sent with DONTWAIT: a subscriber past its high-water
 * mark loses messages (its gap accounting shows them), the publisher never blocks. Sends are
 * serialised per publication (ZMQ sockets are single-threaded).
 *
 * <p><b>Subscribing.</b> One platform thread per subscription owns a SUB socket subscribed to the
 * plain topic; a virtual thread follows discovery for exactly that scope and topic and asks it to
 * connect to each publisher that appears and disconnect from each that goes. Every message is
 * validated (4 parts, exact topic, 8-byte ids, frame version and length, envelope identity equal
 * to the id frames); a bad one is dropped with a warning and reading goes on. Valid envelopes
 * wait in a bounded queue ({@value #QUEUE} envelopes); when it is full the socket thread waits,
 * and ZMQ's RCVHWM (default 100000) bounds the rest.
 *
 * <p><b>Address.</b> {@code DYN_EVENT_PLANE_HOST} unset means 127.0.0.1 (dynamo4j never
 * advertises a network the operator did not choose; Dynamo auto-detects). It takes an IP
 * (IPv6 with or without brackets), an interface name, or {@code auto}. JeroMQ handshakes that
 * stall are bounded by a 2 s handshake interval and retried every 100 ms.
 */
public final class ZmqEventTransport implements EventTransport {
  private static final Logger log = LoggerFactory.getLogger(ZmqEventTransport.class);
  static final int QUEUE = 1024;
  static final int SNDHWM = 100_000;

  private final ZContext context = new ZContext(1);
  private final Discovery discovery;
  private final String bindHost;
  private final String advertiseHost;
  private final int rcvHwm;
  private final BrokerUrls staticBrokers;
  private final boolean discoverBrokers;

  public ZmqEventTransport(Discovery discovery, String eventPlaneHost, int rcvHwm) {
    this(discovery, eventPlaneHost, rcvHwm, null, false);
  }

  /**
   * @param brokers broker mode with these brokers ({@code DYN_ZMQ_BROKER_URL}), or {@code null}
   * @param discoverBrokers broker mode with the brokers registered in discovery for the scope's
   *     namespace ({@code DYN_ZMQ_BROKER_ENABLED}); ignored when {@code brokers} is given
   */
  public ZmqEventTransport(Discovery discovery, String eventPlaneHost, int rcvHwm, BrokerUrls brokers, boolean discoverBrokers) {
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
    java.util.List<String> xsub = new java.util.ArrayList<>();
    java.util.List<String> xpub = new java.util.ArrayList<>();
    for (DiscoveryInstance i : discovery.list(new DiscoveryQuery.EventChannels(EventQuery.of(new EventScope.Component(ns, ZmqBroker.COMPONENT))))) {
      if (i instanceof DiscoveryInstance.EventChannel ch && ch.transport() instanceof dev.dynamo4j.discovery.EventTransport.ZmqBroker b) {
        xsub.addAll(b.xsubEndpoints());
        xpub.addAll(b.xpubEndpoints());
      }
    }
    if (xsub.isEmpty() || xpub.isEmpty()) {
      throw new DynamoException(ErrorType.Unavailable, "DYN_ZMQ_BROKER_ENABLED is set but no broker found in discovery for namespace '" + ns + "'");
    }
    return new BrokerUrls(xsub, xpub);
  }

  /** Broker mode: a PUB connected to every XSUB, frame 0 = the scoped subject, no discovery record. */
  private Publication publishViaBrokers(BrokerUrls brokers, EventScope scope, String topic) {
    ZMQ.Socket pub = context.createSocket(SocketType.PUB);
    pub.setSndHWM(SNDHWM);
    pub.setLinger(500);
    pub.setReconnectIVL(100);
    pub.setHandshakeIvl(2000);
    for (String url : brokers.xsub()) {
      pub.connect(url);
    }
    byte[] subject = scope.subject(topic).getBytes(StandardCharsets.UTF_8);
    return new Publication() {
      private boolean closed;

      @Override
      public synchronized void send(long pid, long seq, byte[] envelope) {
        if (closed) {
          throw new DynamoException(ErrorType.Unavailable, "publisher " + Long.toHexString(pid) + " is closed");
        }
        if (!pub.send(subject, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
          return;
        }
        pub.send(u64(pid), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        pub.send(u64(seq), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        pub.send(EventFrame.encode(envelope), ZMQ.DONTWAIT);
      }

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          pub.close();
        }
      }
    };
  }

  @Override
  public Publication publish(EventScope scope, String topic, long publisherId) {
    BrokerUrls brokers = brokersFor(scope);
    if (brokers != null) {
      return publishViaBrokers(brokers, scope, topic);
    }
    ZMQ.Socket pub = context.createSocket(SocketType.PUB);
    pub.setSndHWM(SNDHWM);
    pub.setLinger(500); // on close, give queued events half a second to leave
    pub.setHandshakeIvl(2000); // a stalled JeroMQ handshake is dropped and retried, not waited out for 30 s
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
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    return new Publication() {
      private boolean closed;

      @Override
      public synchronized void send(long pid, long seq, byte[] envelope) {
        if (closed) {
          throw new DynamoException(ErrorType.Unavailable, "publisher " + Long.toHexString(pid) + " is closed");
        }
        // DONTWAIT everywhere: a full subscriber loses this message, the publisher goes on.
        if (!pub.send(topicBytes, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
          return;
        }
        pub.send(u64(pid), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        pub.send(u64(seq), ZMQ.SNDMORE | ZMQ.DONTWAIT);
        pub.send(EventFrame.encode(envelope), ZMQ.DONTWAIT);
      }

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
    private final java.util.Set<String> seen;

    @SuppressWarnings("serial")
    Dedup(int capacity) {
      this.seen = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<String, Boolean>(1024, 0.75f, false) {
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
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  @Override
  public Subscription subscribe(EventScope scope, String topic) {
    return new Sub(scope, topic, brokersFor(scope));
  }

  @Override
  public void close() {
    context.close();
  }

  /** A subscription: a socket thread, a discovery-following thread, a bounded queue. */
  private final class Sub implements Subscription {
    private static final byte[] CLOSED = new byte[0];
    private final String topic;
    private final byte[] topicBytes;
    private final byte[] routingKey;
    private final BrokerUrls brokers;
    private final Dedup dedup;
    private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private final ConcurrentLinkedQueue<String[]> commands = new ConcurrentLinkedQueue<>();
    private final Map<Long, String> connected = new HashMap<>(); // socket thread only
    private volatile int connectedCount;
    private final DiscoveryWatch watch;
    private final Thread socketThread;
    private final Thread watchThread;
    private volatile boolean closed;

    Sub(EventScope scope, String topic, BrokerUrls brokers) {
      this.topic = topic;
      this.topicBytes = topic.getBytes(StandardCharsets.UTF_8);
      this.brokers = brokers;
      this.routingKey = brokers == null ? topicBytes : scope.subject(topic).getBytes(StandardCharsets.UTF_8);
      this.dedup = brokers != null && brokers.xpub().size() > 1 ? new Dedup(DEDUP_WINDOW) : null;
      if (brokers == null) {
        this.watch = discovery.listAndWatch(new DiscoveryQuery.EventChannels(EventQuery.of(scope, topic)));
        this.watchThread = Thread.ofVirtual().name("dynamo4j-zmq-sub-watch-" + topic).start(this::follow);
      } else {
        this.watch = null;
        this.watchThread = null;
        for (int i = 0; i < brokers.xpub().size(); i++) {
          commands.add(new String[] {"connect", Integer.toString(-1 - i), brokers.xpub().get(i)});
        }
      }
      this.socketThread = Thread.ofPlatform().daemon().name("dynamo4j-zmq-sub-" + topic).start(this::pump);
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
        }
      } catch (InterruptedException ie) {
        // closing
      } catch (RuntimeException ex) {
        log.warn("discovery watch of ZMQ subscriber {} ended: {}", topic, ex.toString());
      }
    }

    private void pump() {
      try (ZMQ.Socket sub = context.createSocket(SocketType.SUB)) {
        sub.setRcvHWM(rcvHwm);
        sub.setLinger(0);
        sub.setReceiveTimeOut(100);
        sub.setReconnectIVL(100);
        sub.setReconnectIVLMax(5000);
        sub.setHandshakeIvl(2000);
        sub.setTCPKeepAlive(1);
        sub.subscribe(routingKey);
        byte[][] parts = new byte[8][];
        while (!closed) {
          String[] cmd;
          while ((cmd = commands.poll()) != null) {
            apply(sub, cmd);
          }
          byte[] first;
          try {
            first = sub.recv(0);
          } catch (org.zeromq.ZMQException e) {
            if (closed) {
              return;
            }
            throw e;
          }
          if (first == null) {
            continue; // timeout: look at commands again
          }
          int n = 0;
          parts[n++] = first;
          while (sub.hasReceiveMore()) {
            byte[] p = sub.recv(0);
            if (n < parts.length) {
              parts[n] = p;
            }
            n++;
          }
          byte[] envelope = validate(parts, n);
          if (envelope != null) {
            queue.put(envelope);
          }
        }
      } catch (InterruptedException e) {
        // closing
      } catch (RuntimeException e) {
        if (!closed) {
          log.error("ZMQ subscriber {} failed", topic, e);
        }
      } finally {
        queue.clear();
        queue.offer(CLOSED);
      }
    }

    private void apply(ZMQ.Socket sub, String[] cmd) {
      long id = Long.parseLong(cmd[1]);
      if (cmd[0].equals("connect")) {
        if (!connected.containsKey(id)) {
          sub.connect(cmd[2]);
          connected.put(id, cmd[2]);
          log.debug("subscriber {} connected to publisher {} at {}", topic, Long.toHexString(id), cmd[2]);
        }
      } else {
        String ep = connected.remove(id);
        if (ep != null) {
          sub.disconnect(ep);
          log.debug("subscriber {} disconnected from publisher {} at {}", topic, Long.toHexString(id), ep);
        }
      }
      connectedCount = connected.size();
    }

    /** The envelope of a valid message, or {@code null} (with a warning) for anything else. */
    private byte[] validate(byte[][] parts, int n) {
      if (n != 4) {
        log.warn("dropping a {}-part message on {} (expected 4)", n, topic);
        return null;
      }
      if (!Arrays.equals(parts[0], routingKey)) {
        return null; // a prefix match such as "<topic>-prefix-collision": not ours
      }
      if (parts[1].length != 8 || parts[2].length != 8) {
        log.warn("dropping a message on {} with id frames of {} and {} bytes (expected 8)", topic, parts[1].length, parts[2].length);
        return null;
      }
      byte[] envelope;
      EventEnvelope env;
      try {
        envelope = EventFrame.decode(parts[3]);
        env = EventEnvelope.decode(envelope);
      } catch (WireFormatException e) {
        log.warn("dropping a malformed event on {}: {}", topic, e.getMessage());
        return null;
      }
      long pid = ByteBuffer.wrap(parts[1]).getLong();
      long seq = ByteBuffer.wrap(parts[2]).getLong();
      if (env.publisherId() != pid || env.sequence() != seq || !env.topic().equals(topic)) {
        log.warn("dropping an event on {} whose envelope (publisher {}, seq {}) does not match its frames (publisher {}, seq {})",
            topic, env.publisherId(), env.sequence(), pid, seq);
        return null;
      }
      if (dedup != null && !dedup.firstTime(pid, seq)) {
        return null; // the same event through another broker
      }
      return envelope;
    }

    @Override
    public byte[] next() throws InterruptedException {
      if (closed) {
        return null;
      }
      byte[] b = queue.take();
      if (b == CLOSED) {
        queue.offer(CLOSED);
        return null;
      }
      return b;
    }

    @Override
    public byte[] poll(Duration timeout) throws InterruptedException {
      if (closed) {
        return null;
      }
      byte[] b = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (b == CLOSED) {
        queue.offer(CLOSED);
        return null;
      }
      return b;
    }

    @Override
    public int connectedPublishers() {
      return connectedCount;
    }

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
      queue.clear();
      try {
        socketThread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      queue.offer(CLOSED);
    }
  }
}
