package dev.dynamo4j.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The floor: length-prefixed frames over plain blocking sockets, a platform thread per connection
 * on the server. Protocol shared with {@link NettyPeer}: request {@code [u32 len][u8 op][body]}
 * (op 1 echo, op 2 stream with body {@code [u32 size][u32 count]}); response frames {@code [u32
 * len][u8 kind][body]} (kind 1 item, kind 2 end of stream).
 *
 * <p>Client: a single caller ({@link #unary}) and each stream use a pooled connection of their own
 * and read on the calling thread, with no hand-off (the protocol does not interleave streams);
 * concurrent unary callers ({@link #unaryShared}) pipeline on one connection, one writer at a time,
 * answers matched in order by a reader thread.
 */
final class RawSocketPeer implements Peer {
  static final byte ECHO = 1;
  static final byte STREAM = 2;
  static final byte ITEM = 1;
  static final byte END = 2;

  static String serve() throws IOException {
    ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().name("raw-accept").start(() -> {
      while (true) {
        try {
          Socket s = server.accept();
          s.setTcpNoDelay(true);
          Thread.ofPlatform().daemon().start(() -> handle(s));
        } catch (IOException e) {
          return;
        }
      }
    });
    return "127.0.0.1:" + server.getLocalPort();
  }

  private static void handle(Socket s) {
    try (s) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
      while (true) {
        int len = in.readInt();
        byte op = in.readByte();
        byte[] body = in.readNBytes(len - 1);
        if (op == ECHO) {
          out.writeInt(body.length + 1);
          out.writeByte(ITEM);
          out.write(body);
        } else {
          int size = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
          int count = ((body[4] & 0xff) << 24) | ((body[5] & 0xff) << 16) | ((body[6] & 0xff) << 8) | (body[7] & 0xff);
          byte[] item = new byte[size];
          for (int i = 0; i < count; i++) {
            out.writeInt(size + 1);
            out.writeByte(ITEM);
            out.write(item);
          }
          out.writeInt(1);
          out.writeByte(END);
        }
        if (in.available() == 0) {
          out.flush(); // once per burst of requests
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private final String host;
  private final int port;
  private final Socket shared;
  private final DataOutputStream sharedOut;
  private final DataInputStream sharedIn;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private volatile Thread reader;

  RawSocketPeer(String address) throws IOException {
    String[] hp = address.split(":");
    this.host = hp[0];
    this.port = Integer.parseInt(hp[1]);
    this.shared = connect();
    this.sharedOut = new DataOutputStream(new BufferedOutputStream(shared.getOutputStream(), 64 * 1024));
    this.sharedIn = new DataInputStream(new BufferedInputStream(shared.getInputStream(), 64 * 1024));
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(host, port);
    s.setTcpNoDelay(true);
    return s;
  }

  @Override
  public String name() {
    return "raw-socket";
  }

  /** A connection of its own for this call (pooled): write, then read the answer on this thread. */
  @Override
  public void unary(byte[] payload) throws Exception {
    Conn c = take();
    c.out.writeInt(payload.length + 1);
    c.out.writeByte(ECHO);
    c.out.write(payload);
    c.out.flush();
    readOne(c.in);
    idle.add(c);
  }

  /** Pipelined on the one shared connection; a reader thread matches answers in order. */
  @Override
  public void unaryShared(byte[] payload) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    writeLock.lock();
    try {
      waiting.add(done);
      sharedOut.writeInt(payload.length + 1);
      sharedOut.writeByte(ECHO);
      sharedOut.write(payload);
      sharedOut.flush();
      if (reader == null) {
        reader = Thread.ofPlatform().daemon().name("raw-reader").start(this::readAnswers);
      }
    } finally {
      writeLock.unlock();
    }
    done.get(60, TimeUnit.SECONDS);
  }

  private record Conn(Socket socket, DataOutputStream out, DataInputStream in) {}

  private final ConcurrentLinkedQueue<Conn> idle = new ConcurrentLinkedQueue<>();

  private Conn take() throws IOException {
    Conn c = idle.poll();
    if (c != null) {
      return c;
    }
    Socket s = connect();
    return new Conn(s, new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024)), new DataInputStream(new BufferedInputStream(s.getInputStream(), 256 * 1024)));
  }

  private void readAnswers() {
    try {
      while (true) {
        readOne(sharedIn);
        CompletableFuture<Void> f;
        writeLock.lock();
        try {
          f = waiting.poll();
        } finally {
          writeLock.unlock();
        }
        if (f != null) {
          f.complete(null);
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static void readOne(DataInputStream in) throws IOException {
    int len = in.readInt();
    in.skipNBytes(len);
  }

  @Override
  public void stream(int size, int count, Runnable onItem) throws Exception {
    Conn c = take();
    c.out.writeInt(9);
    c.out.writeByte(STREAM);
    c.out.writeInt(size);
    c.out.writeInt(count);
    c.out.flush();
    while (true) {
      int len = c.in.readInt();
      byte kind = c.in.readByte();
      c.in.skipNBytes(len - 1);
      if (kind == END) {
        idle.add(c);
        return;
      }
      onItem.run();
    }
  }

  @Override
  public void close() throws IOException {
    shared.close();
    Conn c;
    while ((c = idle.poll()) != null) {
      c.socket.close();
    }
  }
}
