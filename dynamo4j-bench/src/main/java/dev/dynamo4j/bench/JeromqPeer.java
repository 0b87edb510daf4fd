package dev.dynamo4j.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Raw JeroMQ DEALER/ROUTER, the floor of the ZMQ request plane: the ROUTER echoes {@code
 * [id][op+body]} on one thread (op 1 echo, op 2 stream {@code [u32 size][u32 count]}: count items
 * then an end frame, as {@link RawSocketPeer}). Client: a single caller and each stream take a
 * DEALER of their own from a pool and read on the calling thread; concurrent unary callers
 * ({@link #unaryShared}) share one DEALER, owned by one thread that they hand requests to through a
 * queue and a pipe its poller watches, as a JeroMQ user must (sockets are single-threaded). That
 * poller spins (JeroMQ 0.6 reports the pipe ready on every poll after its first wake-up, and its
 * ZMQ_FD stays readable after a drain): it costs CPU, but it is what a JeroMQ user writes, and
 * it answers fast; the ZMQ request plane waits in blocking receives instead (ZmqRequestPlane).
 */
final class JeromqPeer implements Peer {
  static String serve() {
    ZContext ctx = new ZContext(1);
    ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
    router.setSndHWM(100_000);
    router.setRcvHWM(100_000);
    router.bind("tcp://127.0.0.1:*");
    String ep = router.getLastEndpoint();
    Thread.ofPlatform().name("jeromq-router").start(() -> {
      while (true) {
        byte[] identity = router.recv(0);
        if (identity == null) {
          return;
        }
        byte[] id = router.recv(0);
        byte[] msg = router.recv(0);
        if (msg[0] == RawSocketPeer.ECHO) {
          msg[0] = RawSocketPeer.ITEM;
          router.send(identity, ZMQ.SNDMORE);
          router.send(id, ZMQ.SNDMORE);
          router.send(msg, 0);
        } else {
          ByteBuffer b = ByteBuffer.wrap(msg, 1, 8);
          int size = b.getInt();
          int count = b.getInt();
          byte[] item = new byte[size + 1];
          item[0] = RawSocketPeer.ITEM;
          for (int i = 0; i < count; i++) {
            router.send(identity, ZMQ.SNDMORE);
            router.send(id, ZMQ.SNDMORE);
            router.send(item, 0);
          }
          router.send(identity, ZMQ.SNDMORE);
          router.send(id, ZMQ.SNDMORE);
          router.send(new byte[] {RawSocketPeer.END}, 0);
        }
      }
    });
    return ep;
  }

  private final String endpoint;
  private final ZContext ctx = new ZContext(1);
  private final ConcurrentLinkedQueue<ZMQ.Socket> idle = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong();
  private final Shared shared;

  JeromqPeer(String endpoint) throws IOException {
    this.endpoint = endpoint;
    this.shared = new Shared();
  }

  @Override
  public String name() {
    return "jeromq";
  }

  private synchronized ZMQ.Socket newDealer() {
    ZMQ.Socket d = ctx.createSocket(SocketType.DEALER);
    d.setLinger(0);
    d.setRcvHWM(100_000);
    d.connect(endpoint);
    return d;
  }

  private ZMQ.Socket take() {
    ZMQ.Socket d = idle.poll();
    return d != null ? d : newDealer();
  }

  @Override
  public void unary(byte[] payload) {
    ZMQ.Socket d = take();
    byte[] msg = new byte[payload.length + 1];
    msg[0] = RawSocketPeer.ECHO;
    System.arraycopy(payload, 0, msg, 1, payload.length);
    d.send(Long.toString(ids.incrementAndGet()).getBytes(StandardCharsets.US_ASCII), ZMQ.SNDMORE);
    d.send(msg, 0);
    d.recv(0);
    d.recv(0);
    idle.add(d);
  }

  @Override
  public void unaryShared(byte[] payload) throws Exception {
    shared.call(payload).get(60, TimeUnit.SECONDS);
  }

  @Override
  public void stream(int size, int count, Runnable onItem) {
    ZMQ.Socket d = take();
    byte[] msg = ByteBuffer.allocate(9).put(RawSocketPeer.STREAM).putInt(size).putInt(count).array();
    d.send(Long.toString(ids.incrementAndGet()).getBytes(StandardCharsets.US_ASCII), ZMQ.SNDMORE);
    d.send(msg, 0);
    while (true) {
      d.recv(0);
      byte[] m = d.recv(0);
      if (m[0] == RawSocketPeer.END) {
        break;
      }
      onItem.run();
    }
    idle.add(d);
  }

  /** One DEALER shared by many callers, owned by one thread. */
  private final class Shared {
    private final ConcurrentLinkedQueue<Object[]> queue = new ConcurrentLinkedQueue<>();
    private final Map<String, CompletableFuture<Void>> waiting = new HashMap<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Pipe pipe = Pipe.open();
    private volatile boolean closed;

    Shared() throws IOException {
      pipe.source().configureBlocking(false);
      Thread.ofPlatform().daemon().name("jeromq-shared").start(this::run);
    }

    CompletableFuture<Void> call(byte[] payload) throws IOException {
      CompletableFuture<Void> f = new CompletableFuture<>();
      queue.add(new Object[] {payload, f});
      if (wakePending.compareAndSet(false, true)) {
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
      }
      return f;
    }

    private void run() {
      try {
        loop();
      } catch (ZMQException e) {
        if (!closed) {
          throw e;
        } // else: the context is closed under the loop, the run is over
      }
    }

    private void loop() {
      ZMQ.Socket d = newDealer();
      ZMQ.Poller poller = ctx.createPoller(2);
      poller.register(pipe.source(), ZMQ.Poller.POLLIN);
      poller.register(d, ZMQ.Poller.POLLIN);
      ByteBuffer drain = ByteBuffer.allocate(64);
      while (!closed) {
        poller.poll(100);
        try {
          while (pipe.source().read(drain.clear()) > 0) {
            // drained
          }
        } catch (IOException e) {
          return;
        }
        wakePending.set(false);
        Object[] q;
        while ((q = queue.poll()) != null) {
          byte[] payload = (byte[]) q[0];
          byte[] msg = new byte[payload.length + 1];
          msg[0] = RawSocketPeer.ECHO;
          System.arraycopy(payload, 0, msg, 1, payload.length);
          String id = Long.toString(ids.incrementAndGet());
          @SuppressWarnings("unchecked")
          CompletableFuture<Void> f = (CompletableFuture<Void>) q[1];
          waiting.put(id, f);
          d.send(id.getBytes(StandardCharsets.US_ASCII), ZMQ.SNDMORE);
          d.send(msg, 0);
        }
        byte[] id;
        while ((id = d.recv(ZMQ.DONTWAIT)) != null) {
          d.recv(0);
          CompletableFuture<Void> f = waiting.remove(new String(id, StandardCharsets.US_ASCII));
          if (f != null) {
            f.complete(null);
          }
        }
      }
    }
  }

  @Override
  public void close() {
    shared.closed = true;
    ctx.close();
  }
}
