package dev.dynamo4j.bench;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.spi.config.TcpTlsSettings;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * dynamo4j's request planes through its public API ({@code Endpoint.serve}, {@link Client}),
 * with the defaults a user gets (msgpack bodies, file discovery) and either response path: the
 * multiplexed one (one persistent response connection) or Dynamo's per-stream call-home ({@code
 * DYN_TCP_RESPONSE_MUX=false} on both sides). The caller sends every request on one connection
 * ({@code DYN_TCP_POOL_SIZE=1}). The {@code mux-tls} mode is the mux with TLS on both sides (a
 * self-signed certificate made for the run, verified by the caller as {@code localhost}, with the
 * provider {@code DYN_TCP_TLS_PROVIDER} picks: BoringSSL where it loads). The {@code zmq*} modes
 * run the ZMQ request plane, {@code nats} the NATS request plane on a given nats-server (responses
 * on the mux in both).
 */
final class Dynamo4jPeer implements Peer {
  /** The streaming request: {@code count} items of {@code size} bytes. */
  record StreamRequest(int size, int count) {}

  /** The certificate of TLS runs, next to the discovery directory of the run. */
  static Path[] certificate(Path kvRoot) throws Exception {
    Path dir = kvRoot.resolveSibling("tls");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    synchronized (Dynamo4jPeer.class) {
      if (!Files.exists(key)) {
        Files.createDirectories(dir);
        SelfSignedCertificate ssc = new SelfSignedCertificate("localhost", "EC", 256);
        Files.copy(ssc.certificate().toPath(), cert);
        Files.copy(ssc.privateKey().toPath(), dir.resolve("key.tmp"));
        Files.move(dir.resolve("key.tmp"), key, StandardCopyOption.ATOMIC_MOVE);
        ssc.delete();
      }
    }
    return new Path[] {cert, key};
  }

  /**
   * The configuration of both ends of a side.
   *
   * @param mode {@code mux}, {@code mux-tls}, {@code direct}, {@code legacy} (call-home), {@code
   *     zmq}, {@code zmq-direct}, {@code zmq-own} (ZMQ responses, {@code DYN_ZMQ_RESPONSE_PATH=zmq})
   *     or {@code nats} (the NATS request plane, responses on the mux)
   * @param natsUrl the nats-server of the {@code nats} mode; null otherwise
   */
  static RuntimeConfig config(Path kvRoot, String mode, String natsUrl) {
    RuntimeConfig.Builder b = RuntimeConfig.builder(System.getenv());
    b.requestPlane(mode.startsWith("zmq") ? "zmq" : mode.equals("nats") ? "nats" : "tcp");
    if (mode.equals("zmq-own")) {
      b.variable("DYN_ZMQ_RESPONSE_PATH", "zmq");
    }
    if (natsUrl != null) {
      b.variable("NATS_SERVER", natsUrl);
    }
    if (mode.equals("mux-tls")) {
      try {
        Path[] ck = certificate(kvRoot);
        b.tcpTls(TcpTlsSettings.fromEnv(Map.of("DYN_TCP_TLS_CERT_PATH", ck[0].toString(), "DYN_TCP_TLS_KEY_PATH", ck[1].toString(),
            "DYN_TCP_TLS_CA_CERT_PATH", ck[0].toString(), "DYN_TCP_TLS_SERVER_NAME", "localhost"), b.build().tcpTls()));
      } catch (Exception e) {
        throw new IllegalStateException("cannot make the TLS side's certificate: " + e, e);
      }
    }
    ResponseStreamOptions fromEnv = b.build().responseStreams(); // DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES etc. still apply
    return b.discoveryBackend("file")
        .fileKvRoot(kvRoot)
        .tcpPoolSize(1)
        .responseStreams(fromEnv.withMux(!mode.equals("legacy")).withMuxConnections(1, fromEnv.streamWindowBytes()))
        .build();
  }

  /**
   * Serves the echo and the streaming endpoint in {@code mode} (see {@link #config}). In {@code
   * direct} and {@code zmq-direct} the echo endpoint runs in direct mode (as grpc-java's server
   * with {@code directExecutor}; on ZMQ, engines on the ROUTER's thread); the streaming endpoint's
   * 1000 items can exceed what direct mode holds for a slow caller, so it stays on virtual
   * threads, as a user would serve it.
   */
  static String serve(Path kvRoot, String mode, String natsUrl) {
    DistributedRuntime rt = DistributedRuntime.builder().config(config(kvRoot, mode, natsUrl)).build().installShutdownHook();
    var echo = rt.endpoint("bench/cmp/echo");
    if ("direct".equals(mode) || "zmq-direct".equals(mode)) {
      echo.direct();
    }
    echo.serve(byte[].class, (Context<byte[]> req) -> ResponseStream.of(req.controller(), List.of(req.value())));
    rt.endpoint("bench/cmp/stream").serve(StreamRequest.class, (Context<StreamRequest> req) -> {
      byte[] item = new byte[req.value().size()];
      int count = req.value().count();
      return ResponseStream.generate(req, out -> {
        for (int i = 0; i < count && out.emit(item); i++) {
          // the same bytes each time: encoding copies them
        }
      });
    });
    return kvRoot + " " + mode;
  }

  private final String name;
  private final DistributedRuntime rt;
  private final Client<byte[], byte[]> echo;
  private final Client<StreamRequest, byte[]> stream;

  Dynamo4jPeer(String name, Path kvRoot, String mode, String natsUrl) throws InterruptedException {
    this.name = name;
    this.rt = DistributedRuntime.builder().config(config(kvRoot, mode, natsUrl)).build();
    this.echo = rt.endpoint("bench/cmp/echo").client(byte[].class);
    this.stream = rt.endpoint("bench/cmp/stream").client(byte[].class);
    echo.waitForInstances(Duration.ofSeconds(30));
    stream.waitForInstances(Duration.ofSeconds(30));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void unary(byte[] payload) throws Exception {
    try (ResponseStream<byte[]> s = echo.call(payload)) {
      for (byte[] ignored : s) {
        // one item
      }
    }
  }

  @Override
  public void stream(int size, int count, Runnable onItem) throws Exception {
    try (ResponseStream<byte[]> s = stream.call(new StreamRequest(size, count))) {
      for (byte[] ignored : s) {
        onItem.run();
      }
    }
  }

  @Override
  public void close() {
    rt.close();
  }
}
