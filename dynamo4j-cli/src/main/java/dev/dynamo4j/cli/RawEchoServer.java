package dev.dynamo4j.cli;

import dev.dynamo4j.nats.NatsConfig;
import dev.dynamo4j.nats.NatsConnections;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * The benchmark's baseline peer: a length-prefixed echo over plain blocking sockets, one virtual
 * thread per connection. It is what a round trip costs on this machine with no framing, routing,
 * call-home or codec, so the request plane's figures can be read as ratios against it.
 *
 * <p>With {@code --nats [URLS]} it is the NATS baseline instead: a plain jnats responder on
 * {@value #NATS_SUBJECT} that replies with the request's bytes (NATS_SERVER / NATS_AUTH_* apply).
 */
public final class RawEchoServer {
  static final String NATS_SUBJECT = "dynamo4j.bench.raw-echo";

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length > 0 && args[0].equals("--nats")) {
      Connection nc = NatsConnections.connect(NatsConfig.fromEnv(args.length > 1 ? args[1] : null));
      Dispatcher d = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData()));
      d.subscribe(NATS_SUBJECT);
      try {
        nc.flush(Duration.ofSeconds(5));
      } catch (TimeoutException e) {
        throw new IOException("NATS did not confirm the subscription", e);
      }
      System.out.println("listening nats");
      System.out.flush();
      // This process exists only to answer on the dispatcher's thread; its main thread waits on
      // nothing from a peer. The CLI bench that started it ends it (WorkerProcess.close kills the
      // process), so this wait always ends with the process.
      new CountDownLatch(1).await();
      return;
    }
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
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()))) {
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
