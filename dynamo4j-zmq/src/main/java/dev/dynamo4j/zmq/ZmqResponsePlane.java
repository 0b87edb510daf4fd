package dev.dynamo4j.zmq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.CallHomeRegistry;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.StreamType;
import dev.dynamo4j.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZMQ request plane's own response path (ours, {@code DYN_ZMQ_RESPONSE_PATH=zmq}, the
 * default): response streams, and the request streams of bidirectional calls, travel back over
 * the very sockets the request came by (the worker's ROUTER, the caller's DEALER) instead of a
 * TCP connection of their own, which is what makes the ZMQ plane as fast as JeroMQ itself
 * (measured in the bench, see docs/architecture.md). With {@code
 * DYN_ZMQ_RESPONSE_PATH=tcp} callers offer the TCP response plane (call-home or mux) as before;
 * workers answer on whichever the request names, so both settings interoperate.
 *
 * <p>Connection info: {@code {"transport":"zmq","info":"{\"peer\":\"<hex>\",\"subject\":\"<uuid>\",
 * \"window\":<bytes>,\"stream_type\":\"response\"|\"request\"}"}}: {@code peer} is the caller's
 * DEALER routing id (every DEALER of a plane has the same one, 16 random bytes), {@code subject}
 * names the stream, {@code window} is the caller's receive window. A worker can only answer a
 * peer whose request reached one of its ROUTERs, through the ROUTER that saw it last.
 *
 * <p>Messages (two frames each, as requests: a DEALER sees {@code [head][body]}, a ROUTER {@code
 * [identity][head][body]}); {@code head} is 17 bytes, a kind byte and the subject's 16 bytes
 * (a request id of 17 bytes that starts with a byte 1..6 would be taken for one; our callers use
 * decimal ids):
 * <table>
 *   <caption>Stream messages</caption>
 *   <tr><th>kind</th><th>body</th><th>meaning</th></tr>
 *   <tr><td>1 OPEN</td><td>8-byte window</td><td>worker → caller: the worker took the stream (the
 *       call-home moment); the body is its receive window</td></tr>
 *   <tr><td>2 FRAME</td><td>a two-part message as on TCP</td><td>either way: prologue, items,
 *       control frames ({@code stop}, {@code kill}, sentinel)</td></tr>
 *   <tr><td>3 END</td><td>empty</td><td>either way: this side closed the stream</td></tr>
 *   <tr><td>4 CREDIT</td><td>8-byte count</td><td>either way: flow-control credit returned</td></tr>
 *   <tr><td>5 RESET</td><td>UTF-8 reason</td><td>either way: the stream is aborted (also the
 *       answer to a message for a stream the receiver does not know)</td></tr>
 *   <tr><td>6 PING</td><td>empty</td><td>either way: is the peer still there? (see
 *       {@link ZmqStream})</td></tr>
 *   <tr><td>7 BATCH</td><td>messages, each as its 17-byte head, a 4-byte big-endian length and
 *       its body</td><td>either way: several of the above for one peer in one ZMQ message (a
 *       sender batches what queued up while its socket thread was busy, up to {@value
 *       #BATCH_LIMIT} bytes); its head's subject is zero; batches do not nest</td></tr>
 * </table>
 *
 * <p>Failures: a caller whose DEALER loses its connection fails the streams opened through it
 * ({@code Disconnected}); a worker's ROUTER that finds a caller gone ({@code EHOSTUNREACH} under
 * {@code ZMQ_ROUTER_MANDATORY}) fails that caller's streams; a stream the worker does not open
 * within {@code DYN_TCP_CALL_HOME_TIMEOUT_SECS} fails {@code ResponseTimeout} as on TCP.
 *
 * <p>Buffers: per stream and direction one window ({@code DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES})
 * plus one frame; a ROUTER's send queue is not capped by ZMQ (its high-water mark is off) because
 * the windows cap it. The table of callers seen (for {@link #dial}) keeps one entry per caller
 * process and forgets, once it holds more than {@value #PEERS_SWEEP_ABOVE}, those silent for
 * {@value #PEER_IDLE_MINUTES} minutes; it never holds more than {@value #PEERS_MAX} (a flood of
 * new connections, each a new routing id, is then swept of peers silent for a minute, and a peer
 * that still finds no room is not noted: its requests are served, but a ZMQ response stream to
 * it fails {@code CannotConnect}, logged).
 */
final class ZmqResponsePlane implements ResponsePlane {
  private static final Logger log = LoggerFactory.getLogger(ZmqResponsePlane.class);
  static final String TRANSPORT = "zmq";
  static final byte OPEN = 1;
  static final byte FRAME = 2;
  static final byte END = 3;
  static final byte CREDIT = 4;
  static final byte RESET = 5;
  static final byte PING = 6;
  static final byte BATCH = 7;
  /** The head of a {@code BATCH}: no stream of its own. */
  static final byte[] BATCH_HEAD = head(BATCH, new UUID(0, 0));
  /** The largest {@code BATCH} a sender makes (it also stays under {@code DYN_TCP_MAX_MESSAGE_SIZE}). */
  static final int BATCH_LIMIT = 256 * 1024;
  static final int HEAD_SIZE = 17;
  static final int PEERS_SWEEP_ABOVE = 4096;
  static final int PEER_IDLE_MINUTES = 10;
  static final int PEERS_MAX = 65_536;
  private static final String FORMAT = "ZmqStreamConnectionInfo";

  /** Sends to one identity through a ROUTER: implemented by the ROUTER's owner thread's queue. */
  interface Outbox {
    boolean send(byte[] identity, byte[] head, byte[] body);
  }

  private record Seen(Outbox router, long atNanos) {}

  private record WorkerStream(ZmqStream stream, Outbox router, byte[] identity) {}

  /** A routing id as a map key. */
  private record Peer(byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Peer p && Arrays.equals(id, p.id);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(id);
    }
  }

  private final ResponsePlane tcp;
  private final boolean zmqPath;
  private final byte[] peerId = new byte[16];
  private final String peerHex;
  private final int window;
  private final long maxFrame;
  private final CallHomeRegistry pending = new CallHomeRegistry();
  private final Map<UUID, ZmqStream> callerStreams = new ConcurrentHashMap<>();
  private final Map<UUID, WorkerStream> workerStreams = new ConcurrentHashMap<>();
  private final Map<Peer, Seen> peers = new ConcurrentHashMap<>();
  private volatile long lastSweep = System.nanoTime();
  private final int peersMax;
  private long peersRefused; // ROUTER threads, under the table's own lock (seen is synchronized on it)
  private volatile boolean closed;

  /**
   * @param tcp the TCP response plane: what callers offer when {@code zmqPath} is false, and
   *     what a worker dials for a request that names it
   * @param window this side's receive window per stream, bytes
   * @param maxFrame the largest encoded frame ({@code DYN_TCP_MAX_MESSAGE_SIZE})
   */
  ZmqResponsePlane(ResponsePlane tcp, boolean zmqPath, int window, long maxFrame) {
    this(tcp, zmqPath, window, maxFrame, PEERS_MAX);
  }

  /** @param peersMax the most callers the worker side notes (see the class comment) */
  ZmqResponsePlane(ResponsePlane tcp, boolean zmqPath, int window, long maxFrame, int peersMax) {
    this.peersMax = peersMax;
    this.tcp = tcp;
    this.zmqPath = zmqPath;
    this.window = window;
    this.maxFrame = maxFrame;
    new SecureRandom().nextBytes(peerId);
    peerId[0] = (byte) (1 + (peerId[0] & 0x7f)); // ZMQ reserves routing ids that start with a zero byte
    this.peerHex = HexFormat.of().formatHex(peerId);
  }

  /** The routing id every DEALER of this plane uses. */
  byte[] peerId() {
    return peerId.clone();
  }

  @Override
  public String transport() {
    return TRANSPORT;
  }

  @Override
  public Set<String> transports() {
    Set<String> s = new LinkedHashSet<>();
    s.add(TRANSPORT);
    s.addAll(tcp.transports());
    return s;
  }

  /** Streams open now (both sides) and streams waiting for their worker, for the plane's gauges. */
  int openStreams() {
    return callerStreams.size() + workerStreams.size();
  }

  int pendingStreams() {
    return pending.size();
  }

  // ---------------------------------------------------------------- caller side

  @Override
  public PendingStream expect(String requestId, StreamType type) {
    if (!zmqPath) {
      return tcp.expect(requestId, type);
    }
    if (closed) {
      throw new DynamoException(ErrorType.Unavailable, "the ZMQ response plane is closed");
    }
    return pending.register(requestId, type, r -> new ConnectionInfo(TRANSPORT, new String(Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("peer", peerHex);
      g.writeStringField("subject", r.subject().toString());
      g.writeNumberField("window", window);
      g.writeStringField("stream_type", type.wireName());
      g.writeEndObject();
    }), StandardCharsets.UTF_8)));
  }

  /** DEALER thread: a stream message from the worker at {@code address}, which came through {@code via}. */
  void onCallerMessage(ZmqStream.Link via, String address, byte[] head, byte[] body) {
    byte kind = head[0];
    if (kind == BATCH) {
      try {
        unbatch(body, (h, b) -> onCallerMessage(via, address, h, b));
      } catch (WireFormatException e) {
        malformed("the worker at " + address, e);
      }
      return;
    }
    UUID id = subject(head);
    if (kind == OPEN) {
      CallHomeRegistry.Registration r = pending.claim(id);
      if (r == null || body.length != 8) {
        via.send(RESET, id, (r == null ? "the caller no longer expects this stream" : "an OPEN without its window").getBytes(StandardCharsets.UTF_8));
        return;
      }
      long sendWindow = ByteBuffer.wrap(body).getLong();
      ZmqStream s = new ZmqStream(id, via, window, Math.max(1, sendWindow), maxFrame, "the worker at " + address,
          () -> callerStreams.remove(id));
      callerStreams.put(id, s);
      if (!r.connect(s)) {
        s.reset("the caller gave up waiting for the stream");
      }
      return;
    }
    ZmqStream s = callerStreams.get(id);
    if (s == null || s.link() != via) {
      if (kind == FRAME || kind == PING) {
        via.send(RESET, id, "no such stream".getBytes(StandardCharsets.UTF_8));
      }
      return;
    }
    dispatch(s, kind, body);
  }

  /** DEALER thread: its connection is gone; the streams opened through it fail. */
  void callerLinkLost(ZmqStream.Link via, String why) {
    for (ZmqStream s : callerStreams.values()) {
      if (s.link() == via) {
        s.linkLost(why);
      }
    }
  }

  // ---------------------------------------------------------------- worker side

  /** ROUTER thread: a request from {@code identity} came through {@code router}. */
  void seen(Outbox router, byte[] identity) {
    Peer p = new Peer(identity);
    long now = System.nanoTime();
    Seen s = peers.get(p);
    if (s != null && s.router() == router && now - s.atNanos() <= TimeUnit.SECONDS.toNanos(1)) {
      return; // noted less than a second ago: the common case, no write
    }
    if (s == null && peers.size() >= peersMax) {
      synchronized (peers) {
        if (peers.size() >= peersMax) {
          peers.values().removeIf(v -> now - v.atNanos() > TimeUnit.MINUTES.toNanos(1));
        }
        if (peers.size() >= peersMax) {
          if (Long.bitCount(++peersRefused) == 1) {
            log.warn("ZMQ streams: {} callers seen within a minute (the most noted is {}); a new caller's ZMQ response streams will fail; {} refused so far",
                peers.size(), peersMax, peersRefused);
          }
          return;
        }
      }
    }
    peers.put(p, new Seen(router, now));
    if (peers.size() > PEERS_SWEEP_ABOVE && now - lastSweep > TimeUnit.MINUTES.toNanos(1)) {
      lastSweep = now;
      long idle = TimeUnit.MINUTES.toNanos(PEER_IDLE_MINUTES);
      peers.values().removeIf(v -> now - v.atNanos() > idle);
    }
  }

  /** Callers noted now (for tests and gauges). */
  int peersNoted() {
    return peers.size();
  }

  @Override
  public FrameChannel dial(ConnectionInfo info, String requestId) throws InterruptedException {
    if (!TRANSPORT.equals(info.transport())) {
      return tcp.dial(info, requestId);
    }
    if (closed) {
      throw new DynamoException(ErrorType.CannotConnect, "the ZMQ response plane is closed");
    }
    JsonNode n;
    byte[] peer;
    UUID subject;
    long sendWindow;
    try {
      n = Json.parseObject(FORMAT, info.info().getBytes(StandardCharsets.UTF_8));
      peer = HexFormat.of().parseHex(Json.requireText(FORMAT, n, "peer"));
      subject = UUID.fromString(Json.requireText(FORMAT, n, "subject"));
      sendWindow = Json.requireU64(FORMAT, n, "window");
    } catch (WireFormatException | IllegalArgumentException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "malformed ZMQ connection info for request " + requestId + ": " + e.getMessage(), e);
    }
    Seen seen = peers.get(new Peer(peer));
    if (seen == null) {
      throw new DynamoException(ErrorType.CannotConnect, "no request from the ZMQ caller " + HexFormat.of().formatHex(peer)
          + " reached this process (a ZMQ response stream goes back the way its request came)");
    }
    Outbox router = seen.router();
    ZmqStream.Link link = (kind, id, body) -> router.send(peer, head(kind, id), body);
    ZmqStream s = new ZmqStream(subject, link, window, Math.max(1, Math.min(sendWindow, Integer.MAX_VALUE)), maxFrame,
        "the caller " + HexFormat.of().formatHex(peer, 0, 4), () -> workerStreams.remove(subject));
    if (workerStreams.putIfAbsent(subject, new WorkerStream(s, router, peer)) != null) {
      throw new DynamoException(ErrorType.InvalidArgument, "the ZMQ stream " + subject + " of request " + requestId + " is already open");
    }
    if (!link.send(OPEN, subject, ByteBuffer.allocate(8).putLong(window).array())) {
      workerStreams.remove(subject);
      throw new DynamoException(ErrorType.CannotConnect, "the ZMQ ROUTER that took request " + requestId + " is closed");
    }
    return s;
  }

  /** ROUTER thread: a stream message from {@code identity}. */
  void onWorkerMessage(Outbox router, byte[] identity, byte[] head, byte[] body) {
    byte kind = head[0];
    if (kind == BATCH) {
      try {
        unbatch(body, (h, b) -> onWorkerMessage(router, identity, h, b));
      } catch (WireFormatException e) {
        malformed("the caller " + HexFormat.of().formatHex(identity), e);
      }
      return;
    }
    UUID id = subject(head);
    WorkerStream w = workerStreams.get(id);
    if (w == null || !Arrays.equals(w.identity(), identity)) {
      if (kind == FRAME || kind == PING || kind == OPEN) {
        router.send(identity, head(RESET, id), "no such stream".getBytes(StandardCharsets.UTF_8));
      }
      return;
    }
    dispatch(w.stream(), kind, body);
  }

  /** ROUTER thread: {@code identity} is not connected to {@code router} any more. */
  void peerGone(Outbox router, byte[] identity, String why) {
    Peer p = new Peer(identity);
    Seen s = peers.get(p);
    if (s != null && s.router() == router) {
      peers.remove(p, s);
    }
    for (WorkerStream w : workerStreams.values()) {
      if (w.router() == router && Arrays.equals(w.identity(), identity)) {
        w.stream().linkLost(why);
      }
    }
  }

  /** ROUTER thread: pings every caller with a stream through {@code router} (see its monitor). */
  void probe(Outbox router) {
    for (WorkerStream w : workerStreams.values()) {
      if (w.router() == router) {
        router.send(w.identity(), head(PING, w.stream().id), new byte[0]);
      }
    }
  }

  /** Whether any stream of this process as a caller is open (its DEALERs then watch their connections closely). */
  boolean hasCallerStreams() {
    return !callerStreams.isEmpty();
  }

  /** Whether a caller-side stream goes through {@code via}, or a stream is still awaited (it may come through any). */
  boolean inUse(ZmqStream.Link via) {
    if (pending.size() > 0) {
      return true;
    }
    for (ZmqStream s : callerStreams.values()) {
      if (s.link() == via) {
        return true;
      }
    }
    return false;
  }

  /** ROUTER thread, last: the streams that go through {@code router} fail. */
  void routerClosed(Outbox router, String why) {
    peers.values().removeIf(s -> s.router() == router);
    for (WorkerStream w : workerStreams.values()) {
      if (w.router() == router) {
        w.stream().linkLost(why);
      }
    }
  }

  // ---------------------------------------------------------------- both

  private long malformedBatches;

  /** A batch that does not parse: dropped whole, logged at the 1st, 2nd, 4th, ... occurrence. */
  private synchronized void malformed(String from, WireFormatException e) {
    if (Long.bitCount(++malformedBatches) == 1) {
      log.warn("ZMQ streams: a malformed batch from {} dropped ({}); {} so far", from, e.getMessage(), malformedBatches);
    }
  }

  private void dispatch(ZmqStream s, byte kind, byte[] body) {
    switch (kind) {
      case FRAME -> s.onFrame(body);
      case END -> s.onEnd();
      case CREDIT -> s.onCredit(body);
      case RESET -> s.onReset(body);
      case PING -> { } // the stream is known: nothing to say
      default -> s.reset("an OPEN for a stream that is already open");
    }
  }

  static byte[] head(byte kind, UUID id) {
    return ByteBuffer.allocate(HEAD_SIZE).put(kind).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
  }

  /** Whether a message's first frame is a stream message's head rather than a request id. */
  static boolean isStreamHead(byte[] first) {
    return first.length == HEAD_SIZE && first[0] >= OPEN && first[0] <= BATCH;
  }

  /** The body of a {@code BATCH} of {@code [head, body]} messages: each as its head, a 4-byte length and its body. */
  static byte[] batch(List<byte[][]> messages) {
    int size = 0;
    for (byte[][] m : messages) {
      size += HEAD_SIZE + 4 + m[1].length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    for (byte[][] m : messages) {
      b.put(m[0]).putInt(m[1].length).put(m[1]);
    }
    return b.array();
  }

  /** Calls {@code each} with every {@code [head, body]} of a {@code BATCH}; a malformed batch is a {@link WireFormatException} (nothing of it is delivered). */
  static void unbatch(byte[] batch, BiConsumer<byte[], byte[]> each) {
    List<byte[][]> parts = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(batch);
    while (b.hasRemaining()) {
      if (b.remaining() < HEAD_SIZE + 4) {
        throw new WireFormatException("ZmqBatch", "a message cut short at byte " + b.position() + " of " + batch.length);
      }
      byte[] head = new byte[HEAD_SIZE];
      b.get(head);
      int len = b.getInt();
      if (!isStreamHead(head) || head[0] == BATCH) {
        throw new WireFormatException("ZmqBatch", "kind " + head[0] + " inside a batch");
      }
      if (len < 0 || len > b.remaining()) {
        throw new WireFormatException("ZmqBatch", "a body of " + len + " bytes with " + b.remaining() + " left");
      }
      byte[] body = new byte[len];
      b.get(body);
      parts.add(new byte[][] {head, body});
    }
    for (byte[][] m : parts) {
      each.accept(m[0], m[1]);
    }
  }

  static UUID subject(byte[] head) {
    ByteBuffer b = ByteBuffer.wrap(head, 1, 16);
    return new UUID(b.getLong(), b.getLong());
  }

  @Override
  public FrameChannel dialNow(ConnectionInfo info, String requestId) {
    return TRANSPORT.equals(info.transport()) ? null : tcp.dialNow(info, requestId); // ours can wait for credit
  }

  @Override
  public void close() {
    closed = true;
    DynamoException reason = new DynamoException(ErrorType.Disconnected, "the ZMQ response plane is closed");
    pending.cancelAll(reason);
    for (ZmqStream s : callerStreams.values()) {
      s.linkLost(reason.getMessage());
    }
    for (WorkerStream w : workerStreams.values()) {
      w.stream().linkLost(reason.getMessage());
    }
    try {
      tcp.close();
    } catch (RuntimeException e) {
      log.debug("closing the TCP response plane: {}", e.toString());
    }
  }
}
