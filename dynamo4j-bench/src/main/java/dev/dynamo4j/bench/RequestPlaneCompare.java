package dev.dynamo4j.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.wire.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The request-plane comparison: for each side, its server in a JVM of its own, the client here;
 * a JIT pre-pass of every workload, then per cell a warm-up and a measured window; a table with
 * ratio columns, a JSON file and a self-contained HTML report.
 */
@Command(
    name = "request-plane",
    mixinStandardHelpOptions = true,
    description = {
      "The request plane side by side with the peers a user would pick instead.",
      "",
      "dynamo4j (multiplexed responses; the same over TLS (dynamo4j-mux-tls, a",
      "self-signed certificate made for the run, BoringSSL where it loads), so the",
      "tls/mux column is the cost of TLS; the echo endpoint in direct mode, as",
      "grpc-java's directExecutor; and Dynamo's call-home) against a raw socket",
      "echo, a raw Netty echo and grpc-java (directExecutor); each server in its",
      "own JVM, one run.",
      "Per side: a JIT pre-pass of every workload (--jit-seconds; on 2 cores C2",
      "needs about 20 s, so a short cell measures the compiler), then per cell",
      "--warmup-ms and a measured --duration-ms:",
      "  unary round trip at concurrency 1 (p50/p90/p99, microseconds),",
      "  unary calls/s from --concurrency callers sharing one connection,",
      "  streaming items/s with each of --streams streams of --items items.",
      "Every call is checked: an echo must come back, a stream must deliver all",
      "its items. Prints a table with ratio columns; writes --output (JSON) and",
      "--html (one chart per metric). The defaults take about 6 minutes.",
      "--plane zmq runs the ZMQ request plane next to raw JeroMQ; --plane nats the",
      "NATS request plane next to raw jnats request-reply on one nats-server",
      "(--nats-server, else NATS_SERVER, else a nats-server started for the run).",
      "DYNAMO4J_BENCH_SERVER_OPTS adds JVM options to the server JVMs (e.g. JFR)."
    })
final class RequestPlaneCompare implements Callable<Integer> {
  static final List<String> ALL_SIDES = List.of("dynamo4j-mux", "dynamo4j-mux-tls", "dynamo4j-direct", "dynamo4j-legacy", "raw-socket", "netty", "grpc-java",
      "dynamo4j-zmq", "dynamo4j-zmq-direct", "dynamo4j-zmq-own", "jeromq", "dynamo4j-nats", "jnats");
  /**
   * The sides of {@code --plane zmq}: the ZMQ request plane with responses on TCP (the default),
   * the same with the echo endpoint in direct mode (engines on the ROUTER's thread, as raw
   * JeroMQ's echo runs on its socket's thread), and on its own ZMQ path, raw JeroMQ
   * DEALER/ROUTER, and the TCP plane for reference.
   */
  static final List<String> ZMQ_SIDES = List.of("dynamo4j-zmq", "dynamo4j-zmq-direct", "dynamo4j-zmq-own", "jeromq", "dynamo4j-mux");
  /**
   * The sides of {@code --plane nats}: the NATS request plane (requests and ACKs over NATS,
   * responses on the TCP mux, as the plane always answers), raw jnats request-reply on the same
   * server, and the TCP plane for reference.
   */
  static final List<String> NATS_SIDES = List.of("dynamo4j-nats", "jnats", "dynamo4j-mux");

  @Option(names = "--plane", description = "Which sides run when --sides is not given: tcp (default: dynamo4j-mux,dynamo4j-mux-tls,dynamo4j-direct,"
      + "dynamo4j-legacy,raw-socket,netty,grpc-java) or zmq (dynamo4j-zmq,dynamo4j-zmq-direct,dynamo4j-zmq-own,jeromq,dynamo4j-mux: the ZMQ request "
      + "plane with responses on TCP, the same with its echo endpoint in direct mode (engines on the ROUTER's thread), and "
      + "responses on its own ZMQ path (DYN_ZMQ_RESPONSE_PATH=zmq), next to raw JeroMQ DEALER/ROUTER, and TCP for reference) or nats "
      + "(dynamo4j-nats,jnats,dynamo4j-mux: the NATS request plane next to raw jnats request-reply on the same server, and TCP for reference).",
      defaultValue = "tcp")
  String plane;

  @Option(names = "--nats-server", paramLabel = "URL", description = "The nats-server of the NATS sides (default: NATS_SERVER, else a nats-server "
      + "from this machine's nats-server package, started on a free loopback port for the run and stopped after it).")
  String natsServer;

  static final List<String> TCP_SIDES = List.of("dynamo4j-mux", "dynamo4j-mux-tls", "dynamo4j-direct", "dynamo4j-legacy", "raw-socket", "netty", "grpc-java");

  @Option(names = "--sides", split = ",", description = "Sides to run (default: those of --plane). Known: dynamo4j-mux, dynamo4j-mux-tls, "
      + "dynamo4j-direct, dynamo4j-legacy, raw-socket, netty, grpc-java, dynamo4j-zmq, dynamo4j-zmq-direct, dynamo4j-zmq-own, jeromq, "
      + "dynamo4j-nats, jnats.")
  List<String> sides;

  @Option(names = "--sizes", split = ",", description = "Payload sizes in bytes (default: ${DEFAULT-VALUE}).", defaultValue = "64,4096")
  List<Integer> sizes;

  @Option(names = "--jit-seconds", description = "JIT pre-pass per side (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  double jitSeconds;

  @Option(names = "--warmup-ms", description = "Warm-up before each measured cell (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  long warmupMs;

  @Option(names = "--duration-ms", description = "Measured window of each cell (default: ${DEFAULT-VALUE}).", defaultValue = "3000")
  long durationMs;

  @Option(names = "--concurrency", description = "Concurrent unary callers on one connection (default: ${DEFAULT-VALUE}).", defaultValue = "64")
  int concurrency;

  @Option(names = "--streams", split = ",", description = "Concurrent streams (default: ${DEFAULT-VALUE}).", defaultValue = "1,64")
  List<Integer> streams;

  @Option(names = "--items", description = "Items per streaming call (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  int items;

  @Option(names = "--output", description = "JSON results (default: ${DEFAULT-VALUE}).", defaultValue = "bench-request-plane.json")
  Path output;

  @Option(names = "--html", description = "HTML report with one chart per metric (default: ${DEFAULT-VALUE}).", defaultValue = "bench-request-plane.html")
  Path html;

  /** One metric of one cell for every side. */
  record Row(String metric, String unit, boolean lowerIsBetter, int size, Map<String, Double> values) {}

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    if (durationMs < 10 || warmupMs < 0 || jitSeconds < 0 || concurrency < 1 || items < 1
        || sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 1) || streams.stream().anyMatch(s -> s < 1)) {
      err.println("dynamo4j bench request-plane: --duration-ms >= 10, --warmup-ms >= 0, --jit-seconds >= 0, sizes, streams, --concurrency and --items >= 1");
      return 2;
    }
    if (!plane.equals("tcp") && !plane.equals("zmq") && !plane.equals("nats")) {
      err.println("dynamo4j bench request-plane: --plane must be tcp, zmq or nats, got '" + plane + "'");
      return 2;
    }
    if (sides == null || sides.isEmpty()) {
      sides = switch (plane) {
        case "zmq" -> ZMQ_SIDES;
        case "nats" -> NATS_SIDES;
        default -> TCP_SIDES;
      };
    }
    for (String s : sides) {
      if (!ALL_SIDES.contains(s)) {
        err.println("dynamo4j bench request-plane: unknown side '" + s + "'; known: " + String.join(",", ALL_SIDES));
        return 2;
      }
    }
    Path tmp = Files.createTempDirectory("dynamo4j-bench-");
    LocalNatsServer localNats = null;
    if (sides.contains("dynamo4j-nats") || sides.contains("jnats")) {
      if (natsServer == null) {
        natsServer = System.getenv("NATS_SERVER");
      }
      if (natsServer == null || natsServer.isBlank()) {
        String binary = LocalNatsServer.binary();
        if (binary == null) {
          err.println("dynamo4j bench request-plane: the NATS sides need a nats-server: pass --nats-server URL, set NATS_SERVER, "
              + "or install the Debian package nats-server (then one is started for the run)");
          return 2;
        }
        localNats = LocalNatsServer.start(binary, tmp, Duration.ofSeconds(20));
        natsServer = localNats.url();
        err.printf("started %s for the NATS sides (log in %s)%n", natsServer, tmp.resolve("nats-server.log"));
      }
    }
    try {
      return run(tmp, err);
    } finally {
      if (localNats != null) {
        localNats.close();
      }
    }
  }

  private int run(Path tmp, PrintStream err) throws Exception {
    List<Row> rows = new ArrayList<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (int size : sizes) {
      rows.add(new Row("unary_p50_us", "us", true, size, new LinkedHashMap<>()));
      rows.add(new Row("unary_p90_us", "us", true, size, new LinkedHashMap<>()));
      rows.add(new Row("unary_p99_us", "us", true, size, new LinkedHashMap<>()));
      rows.add(new Row("unary_c" + concurrency + "_calls_per_s", "calls/s", false, size, new LinkedHashMap<>()));
      for (int n : streams) {
        rows.add(new Row("stream_x" + n + "_items_per_s", "items/s", false, size, new LinkedHashMap<>()));
      }
    }
    long started = System.nanoTime();
    for (String side : sides) {
      err.printf("[%s] starting its server JVM%n", side);
      try (ServerJvm server = startServer(side, tmp);
          Peer peer = connect(side, server.awaitReady(Duration.ofSeconds(60)), tmp)) {
        runSide(peer, rows, err);
      } catch (Exception e) {
        errors.put(side, e.toString());
        err.printf("[%s] failed: %s%n", side, e);
      }
    }
    ObjectNode json = toJson(rows, errors, (System.nanoTime() - started) / 1_000_000_000L);
    Files.write(output, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    Files.writeString(html, HtmlReport.render(json));
    printTable(System.out, rows);
    System.out.println("results written to " + output.toAbsolutePath() + " and " + html.toAbsolutePath());
    return errors.isEmpty() ? 0 : 1;
  }

  private ServerJvm startServer(String side, Path tmp) throws Exception {
    return switch (side) {
      case "dynamo4j-mux" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-mux").toString(), "mux"), tmp);
      case "dynamo4j-zmq" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-zmq").toString(), "zmq"), tmp);
      case "dynamo4j-zmq-direct" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-zmq-direct").toString(), "zmq-direct"), tmp);
      case "dynamo4j-zmq-own" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-zmq-own").toString(), "zmq-own"), tmp);
      case "jeromq" -> ServerJvm.start(side, List.of("jeromq"), tmp);
      case "dynamo4j-nats" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-nats").toString(), "nats", natsServer), tmp);
      case "jnats" -> ServerJvm.start(side, List.of("jnats", natsServer), tmp);
      case "dynamo4j-mux-tls" -> {
        Dynamo4jPeer.certificate(tmp.resolve("kv-mux-tls")); // made here, once, before either side reads it
        yield ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-mux-tls").toString(), "mux-tls"), tmp);
      }
      case "dynamo4j-direct" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-direct").toString(), "direct"), tmp);
      case "dynamo4j-legacy" -> ServerJvm.start(side, List.of("dynamo4j", tmp.resolve("kv-legacy").toString(), "legacy"), tmp);
      case "raw-socket" -> ServerJvm.start(side, List.of("raw"), tmp);
      case "netty" -> ServerJvm.start(side, List.of("netty"), tmp);
      case "grpc-java" -> ServerJvm.start(side, List.of("grpc"), tmp);
      default -> throw new IllegalArgumentException(side);
    };
  }

  private Peer connect(String side, String address, Path tmp) throws Exception {
    return switch (side) {
      case "dynamo4j-mux", "dynamo4j-zmq", "dynamo4j-zmq-direct", "dynamo4j-zmq-own", "dynamo4j-mux-tls", "dynamo4j-direct", "dynamo4j-legacy", "dynamo4j-nats" -> {
        String mode = side.substring("dynamo4j-".length()); // the same mode as its server's
        yield new Dynamo4jPeer(side, tmp.resolve("kv-" + mode), mode, mode.equals("nats") ? natsServer : null);
      }
      case "jeromq" -> new JeromqPeer(address);
      case "jnats" -> new NatsPeer(address);
      case "raw-socket" -> new RawSocketPeer(address);
      case "netty" -> new NettyPeer(address);
      case "grpc-java" -> new GrpcPeer(address);
      default -> throw new IllegalArgumentException(side);
    };
  }

  private void runSide(Peer peer, List<Row> rows, PrintStream err) throws Exception {
    String side = peer.name();
    if (jitSeconds > 0) {
      err.printf("[%s] JIT pre-pass: %.0f s of every workload%n", side, jitSeconds);
      long end = System.nanoTime() + (long) (jitSeconds * 1e9);
      // Unary at concurrency 1 gets the largest share: it makes the fewest calls per second, and
      // a latency figure is the one a half-compiled path spoils most (gRPC needs ~40k calls).
      while (System.nanoTime() < end) {
        for (int size : sizes) {
          latency(peer, new byte[size], 1000);
          throughput(peer, new byte[size], 300);
          for (int n : streams) {
            streaming(peer, size, n, 300);
          }
        }
      }
    }
    int i = 0;
    for (int size : sizes) {
      byte[] payload = new byte[size];
      latency(peer, payload, warmupMs);
      Histogram h = latency(peer, payload, durationMs);
      rows.get(i++).values.put(side, (double) h.getValueAtPercentile(50));
      rows.get(i++).values.put(side, (double) h.getValueAtPercentile(90));
      rows.get(i++).values.put(side, (double) h.getValueAtPercentile(99));
      err.printf("[%s] unary %d B c=1: p50 %d us, p90 %d us, p99 %d us (%d calls)%n", side, size,
          h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getTotalCount());
      throughput(peer, payload, warmupMs);
      double rps = throughput(peer, payload, durationMs);
      rows.get(i++).values.put(side, rps);
      err.printf("[%s] unary %d B c=%d: %.0f calls/s%n", side, size, concurrency, rps);
      for (int n : streams) {
        streaming(peer, size, n, warmupMs);
        double ips = streaming(peer, size, n, durationMs);
        rows.get(i++).values.put(side, ips);
        err.printf("[%s] stream %d B x%d: %.0f items/s%n", side, size, n, ips);
      }
    }
  }

  private static Histogram latency(Peer peer, byte[] payload, long ms) throws Exception {
    Histogram h = new Histogram(60_000_000L, 3);
    long end = System.nanoTime() + ms * 1_000_000L;
    long t0;
    while ((t0 = System.nanoTime()) < end) {
      peer.unary(payload);
      h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
    }
    return h;
  }

  private double throughput(Peer peer, byte[] payload, long ms) throws Exception {
    LongAdder calls = new LongAdder();
    return parallel(concurrency, ms, calls, () -> {
      peer.unaryShared(payload);
      calls.increment();
    });
  }

  private double streaming(Peer peer, int size, int n, long ms) throws Exception {
    LongAdder got = new LongAdder();
    return parallel(n, ms, got, () -> {
      LongAdder mine = new LongAdder();
      peer.stream(size, items, () -> {
        mine.increment();
        got.increment();
      });
      if (mine.sum() != items) {
        throw new IllegalStateException(peer.name() + " delivered " + mine.sum() + " of " + items + " items");
      }
    });
  }

  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  /** {@code n} virtual threads repeat {@code op} until the window ends; returns count per second of the real elapsed time. */
  private static double parallel(int n, long ms, LongAdder counter, Op op) throws Exception {
    long start = System.nanoTime();
    long end = start + ms * 1_000_000L;
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          while (System.nanoTime() < end && failure.get() == null) { // an AtomicReference read, not a wait
            op.run();
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        }
      }));
    }
    for (Thread t : threads) {
      t.join(Duration.ofMinutes(2));
    }
    if (failure.get() != null) { // the threads were joined (at most 2 min each) above; no wait here
      throw failure.get();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return counter.sum() / secs;
  }

  private ObjectNode toJson(List<Row> rows, Map<String, String> errors, long seconds) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("benchmark", "request-plane comparison");
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("java", System.getProperty("java.version"));
    r.put("jit_seconds", jitSeconds);
    r.put("warmup_ms", warmupMs);
    r.put("duration_ms", durationMs);
    r.put("concurrency", concurrency);
    r.put("items_per_stream", items);
    r.put("elapsed_s", seconds);
    sides.forEach(r.putArray("sides")::add);
    if (natsServer != null) {
      r.put("nats_server", natsServer);
    }
    ObjectNode errs = r.putObject("errors");
    errors.forEach(errs::put);
    var arr = r.putArray("rows");
    for (Row row : rows) {
      ObjectNode o = arr.addObject();
      o.put("metric", row.metric());
      o.put("unit", row.unit());
      o.put("lower_is_better", row.lowerIsBetter());
      o.put("size", row.size());
      ObjectNode v = o.putObject("values");
      row.values().forEach((k, x) -> v.put(k, Math.round(x * 10) / 10.0));
      ObjectNode ratios = o.putObject("ratios");
      for (String[] pair : RATIOS) {
        Double a = row.values().get(pair[0]);
        Double b = row.values().get(pair[1]);
        if (a != null && b != null && b != 0) {
          ratios.put(pair[0] + "/" + pair[1], Math.round(a / b * 100) / 100.0);
        }
      }
    }
    return r;
  }

  static final String[][] RATIOS = {
    {"dynamo4j-mux", "grpc-java"}, {"dynamo4j-mux", "netty"}, {"dynamo4j-direct", "grpc-java"}, {"dynamo4j-direct", "netty"},
    {"dynamo4j-mux", "raw-socket"}, {"dynamo4j-legacy", "grpc-java"}, {"dynamo4j-mux-tls", "dynamo4j-mux"}, {"dynamo4j-zmq", "jeromq"},
    {"dynamo4j-zmq-direct", "jeromq"}, {"dynamo4j-zmq-own", "jeromq"}, {"dynamo4j-nats", "jnats"}, {"dynamo4j-nats", "dynamo4j-mux"}
  };

  private void printTable(PrintStream out, List<Row> rows) {
    out.println();
    out.println("Request plane side by side (this machine, " + Runtime.getRuntime().availableProcessors() + " cores; ratio = first / second; "
        + "latency: lower is better, rates: higher is better)");
    StringBuilder head = new StringBuilder(String.format("%-28s %6s", "metric", "size"));
    for (String s : sides) {
      head.append(String.format(" %15s", s));
    }
    // only the ratios of sides this run measured
    List<String[]> ratios = Arrays.stream(RATIOS).filter(p -> sides.contains(p[0]) && sides.contains(p[1])).toList();
    for (String[] p : ratios) {
      head.append(String.format(" %12s", shortName(p[0]) + "/" + shortName(p[1])));
    }
    out.println(head);
    for (Row row : rows) {
      StringBuilder line = new StringBuilder(String.format("%-28s %5dB", row.metric(), row.size()));
      for (String s : sides) {
        Double v = row.values().get(s);
        line.append(v == null ? String.format(" %15s", "-") : String.format(" %15.0f", v));
      }
      for (String[] p : ratios) {
        Double a = row.values().get(p[0]);
        Double b = row.values().get(p[1]);
        line.append(a == null || b == null || b == 0 ? String.format(" %12s", "-") : String.format(" %11.2fx", a / b));
      }
      out.println(line);
    }
    out.println();
  }

  static String shortName(String side) {
    return switch (side) {
      case "dynamo4j-mux" -> "mux";
      case "dynamo4j-mux-tls" -> "tls";
      case "dynamo4j-zmq" -> "zmq";
      case "dynamo4j-zmq-direct" -> "zmqdirect";
      case "dynamo4j-zmq-own" -> "zmqown";
      case "dynamo4j-nats" -> "nats";
      case "dynamo4j-direct" -> "direct";
      case "dynamo4j-legacy" -> "legacy";
      case "raw-socket" -> "raw";
      case "grpc-java" -> "grpc";
      default -> side;
    };
  }
}
