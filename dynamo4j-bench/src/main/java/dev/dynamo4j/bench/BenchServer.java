package dev.dynamo4j.bench;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The server side of each peer, one per JVM: {@code BenchServer raw|netty|grpc|jeromq}, {@code
 * BenchServer jnats <nats-url>} or {@code BenchServer dynamo4j <file-kv-root> <mode> [<nats-url>]}
 * (modes as {@link Dynamo4jPeer#config}). Prints {@code READY <address>} once serving,
 * then serves until the process is stopped.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    String address = switch (args[0]) {
      case "raw" -> RawSocketPeer.serve();
      case "netty" -> NettyPeer.serve();
      case "jeromq" -> JeromqPeer.serve();
      case "grpc" -> GrpcPeer.serve();
      case "jnats" -> NatsPeer.serve(args[1]);
      case "dynamo4j" -> Dynamo4jPeer.serve(Path.of(args[1]), args[2], args.length > 3 ? args[3] : null);
      default -> throw new IllegalArgumentException("unknown server kind " + args[0]);
    };
    System.out.println("READY " + address);
    System.out.flush();
    // Serves until the benchmark stops it: ServerJvm.close() destroys this JVM, and stdin (a
    // pipe from the benchmark's JVM) reaches end of stream when that JVM goes away, even killed,
    // so a server is never left behind.
    System.in.transferTo(OutputStream.nullOutputStream());
    System.exit(0);
  }
}
