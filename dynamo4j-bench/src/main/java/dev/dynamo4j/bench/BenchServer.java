package dev.dynamo4j.bench;

import java.nio.file.Path;

/**
 * The server side of each peer, one per JVM: {@code BenchServer raw|netty|grpc} or {@code
 * BenchServer dynamo4j <file-kv-root> mux|direct|legacy}. Prints {@code READY <address>} once serving,
 * then serves until the process is stopped.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    String address = switch (args[0]) {
      case "raw" -> RawSocketPeer.serve();
      case "netty" -> NettyPeer.serve();
      case "grpc" -> GrpcPeer.serve();
      case "dynamo4j" -> Dynamo4jPeer.serve(Path.of(args[1]), args[2]);
      default -> throw new IllegalArgumentException("unknown server kind " + args[0]);
    };
    System.out.println("READY " + address);
    System.out.flush();
    Thread.currentThread().join(); // serves until the benchmark stops this JVM
  }
}
