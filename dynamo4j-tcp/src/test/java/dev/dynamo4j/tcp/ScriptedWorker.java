package dev.dynamo4j.tcp;

import dev.dynamo4j.wire.RequestControlMessage;
import dev.dynamo4j.wire.TcpStreamConnectionInfo;
import dev.dynamo4j.wire.TwoPartMessage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A worker written with plain sockets, speaking Dynamo's request plane and its call-home response
 * path byte by byte as a Dynamo worker does (it knows nothing of the mux offer), and then doing
 * whatever its script says: the misbehaving workers of the deadline tests, and the Dynamo peer of
 * the interop tests. Every accepted request is recorded.
 */
final class ScriptedWorker implements AutoCloseable {
  /** What the worker does after it has ACKed a request. */
  @FunctionalInterface
  interface Script {
    void run(ScriptedWorker self, RequestControlMessage control, byte[] body, TcpStreamConnectionInfo info) throws Exception;
  }

  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final LinkedBlockingQueue<RequestControlMessage> requests = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<String> infoJson = new LinkedBlockingQueue<>();
  private final Thread acceptor;

  ScriptedWorker(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return;
        }
        sockets.add(s);
        Thread.ofVirtual().start(() -> serve(s, script));
      }
    });
  }

  /** The address a discovery record would carry: {@code host:port/path}. */
  String address(String path) {
    return "127.0.0.1:" + server.getLocalPort() + "/" + path;
  }

  private void serve(Socket s, Script script) {
    try {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        int pl = in.readUnsignedShort();
        in.readNBytes(pl);
        int hl = in.readUnsignedShort();
        in.readNBytes(hl);
        int payloadLen = in.readInt();
        TwoPartMessage envelope = TwoPartMessage.decode(in.readNBytes(payloadLen));
        out.writeInt(0); // success ACK
        out.flush();
        RequestControlMessage control = RequestControlMessage.fromJson(envelope.header());
        requests.add(control);
        infoJson.add(control.connectionInfo().info());
        TcpStreamConnectionInfo info = TcpStreamConnectionInfo.fromJson(control.connectionInfo().info());
        Thread.ofVirtual().start(() -> {
          try {
            script.run(this, control, envelope.data(), info);
          } catch (Exception e) {
            // the script's socket was closed by the test; nothing to report
          }
        });
      }
    } catch (IOException e) {
      // the caller closed its request connection
    }
  }

  /** Dials the caller's call-home address as Dynamo's worker does; no handshake sent yet. */
  Socket dial(TcpStreamConnectionInfo info) throws IOException {
    String[] hp = info.address().split(":");
    Socket s = new Socket();
    s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5000);
    s.setTcpNoDelay(true);
    sockets.add(s);
    return s;
  }

  static void sendHandshake(OutputStream out, TcpStreamConnectionInfo info) throws IOException {
    String json = "{\"subject\":\"" + info.subject() + "\",\"stream_type\":\"" + info.streamType().wireName() + "\"}";
    out.write(TwoPartMessage.headerOnly(json.getBytes(StandardCharsets.UTF_8)).encode());
    out.flush();
  }

  static void sendHeader(OutputStream out, String json) throws IOException {
    out.write(TwoPartMessage.headerOnly(json.getBytes(StandardCharsets.UTF_8)).encode());
    out.flush();
  }

  static void sendData(OutputStream out, String json) throws IOException {
    out.write(TwoPartMessage.dataOnly(json.getBytes(StandardCharsets.UTF_8)).encode());
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    acceptor.interrupt();
  }
}
