package dev.dynamo4j.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The benchmark's baseline peer: a length-prefixed echo over plain blocking sockets, one virtual
 * thread per connection. It is what a round trip costs on this machine with no framing, routing,
 * call-home or codec, so the request plane's figures can be read as ratios against it.
 */
public final class RawEchoServer {
  public static void main(String[] args) throws IOException {
    try (ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress())) {
      System.out.println("listening " + server.getLocalPort());
      System.out.flush();
      while (true) {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Thread.ofVirtual().start(() -> echo(s));
      }
    }
  }

  private static void echo(Socket s) {
    try (s;
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()))) {
      while (true) {
        int len = in.readInt();
        byte[] b = in.readNBytes(len);
        out.writeInt(len);
        out.write(b);
        out.flush();
      }
    } catch (EOFException e) {
      // client done
    } catch (IOException e) {
      // client gone
    }
  }
}
