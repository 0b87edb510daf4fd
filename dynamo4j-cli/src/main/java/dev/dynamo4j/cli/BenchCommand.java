package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.nats.NatsConfig;
import dev.dynamo4j.nats.NatsConnections;
import dev.dynamo4j.nats.NatsSettings;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.wire.Json;
import io.nats.client.Connection;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dynamo4j bench ...}: benchmarks between processes on this machine. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks between processes on this machine, reported next to a baseline measured in the same run.",
    subcommands = {BenchCommand.RequestPlane.class, EventPlaneBench.class, DiscoveryBench.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "request-plane",
      mixinStandardHelpOptions = true,
      description = {
        "Request plane: unary latency and streaming throughput against a raw baseline.",
        "",
        "Through ./dynamo4j, 'bench request-plane' runs the side-by-side comparison instead (TCP, ZMQ or",
        "NATS next to the peers a user would pick: raw sockets, Netty, grpc-java, JeroMQ, jnats; each server",
        "in its own JVM, every side after the same JIT pre-pass; see ./dynamo4j bench request-plane --help).",
        "This command, in the command-line jar, is the quick single-baseline run without a JIT pre-pass.",
        "",
        "Request plane (TCP by default, --plane nats) between this process and worker processes on loopback:",
        "  unary round trips (concurrency 1) per payload size, as latency percentiles (HdrHistogram), next to",
        "  a baseline in another process (ratio = ours / raw): a raw length-prefixed echo over plain sockets,",
        "  or with --plane nats a plain jnats request-reply responder on the same NATS server;",
        "  streaming items/s per payload size and concurrency.",
        "Prints a table and writes every figure to a JSON file."
      })
  static final class RequestPlane implements Callable<Integer> {
    @Option(names = "--duration-ms", description = "How long each measurement runs (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
    long durationMs;

    @Option(names = "--sizes", split = ",", description = "Payload sizes in bytes (default: ${DEFAULT-VALUE}).", defaultValue = "64,4096,65536")
    List<Integer> sizes;

    @Option(names = "--concurrency", split = ",", description = "Concurrent streams for the streaming test (default: ${DEFAULT-VALUE}).", defaultValue = "1,16,64")
    List<Integer> concurrency;

    @Option(names = "--items", description = "Items per streamed request (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int items;

    @Option(names = "--output", description = "JSON results file (default: ${DEFAULT-VALUE}).", defaultValue = "bench-request-plane.json")
    Path output;

    @Option(names = "--plane", paramLabel = "tcp|nats", description = "Which request plane (default: ${DEFAULT-VALUE}).", defaultValue = "tcp")
    String plane;

    @Option(names = "--nats-server", paramLabel = "URLS", description = "NATS server for --plane nats; overrides NATS_SERVER (default nats://localhost:4222).")
    String natsServer;

    @Override
    public Integer call() throws Exception {
      if (durationMs < 10 || sizes.stream().anyMatch(s -> s < 0) || concurrency.stream().anyMatch(c -> c < 1) || items < 1) {
        System.err.println("dynamo4j bench request-plane: --duration-ms >= 10, sizes >= 0, concurrency >= 1, items >= 1");
        return 2;
      }
      if (!plane.equalsIgnoreCase("tcp") && !plane.equalsIgnoreCase("nats")) {
        System.err.println("dynamo4j bench request-plane: --plane must be tcp or nats here, got '" + plane + "'"
            + (plane.equalsIgnoreCase("zmq") ? " (the ZMQ plane is in the side-by-side bench: ./dynamo4j bench request-plane --plane zmq)" : ""));
        return 2;
      }
      boolean nats = plane.equalsIgnoreCase("nats");
      String baseline = nats ? "raw_nats_us" : "raw_tcp_us";
      PrintStream out = System.out;
      Path tmp = Files.createTempDirectory("dynamo4j-bench-");
      Path kv = tmp.resolve("kv");
      List<String> discovery = new ArrayList<>(List.of("--backend", "file", "--file-kv", kv.toString()));
      if (nats) {
        discovery.addAll(List.of("--request-plane", "nats"));
        if (natsServer != null) {
          discovery.addAll(List.of("--nats-server", natsServer));
        }
      }
      List<String> rawArgs = !nats ? List.of() : natsServer == null ? List.of("--nats") : List.of("--nats", natsServer);
      List<String> echoArgs = new ArrayList<>(List.of("bench/rp/echo", "--engine", "echo"));
      echoArgs.addAll(discovery);
      List<String> bytesArgs = new ArrayList<>(List.of("bench/rp/bytes", "--engine", "bytes"));
      bytesArgs.addAll(discovery);
      out.println("dynamo4j bench request-plane: starting worker processes (echo, bytes) and the raw echo baseline...");
      try (WorkerProcess echo = WorkerProcess.start("echo-worker", echoArgs, tmp);
          WorkerProcess bytes = WorkerProcess.start("bytes-worker", bytesArgs, tmp);
          WorkerProcess raw = WorkerProcess.startMain("raw-echo", RawEchoServer.class, rawArgs, "listening ", tmp)) {
        echo.awaitReady(Duration.ofSeconds(60));
        bytes.awaitReady(Duration.ofSeconds(60));
        String rawReady = raw.awaitReady(Duration.ofSeconds(60)).substring("listening ".length()).trim();
        int rawPort = nats ? -1 : Integer.parseInt(rawReady);
        RuntimeConfig.Builder cb = RuntimeConfig.builder(System.getenv()).discoveryBackend("file").fileKvRoot(kv)
            .requestPlane(nats ? "nats" : "tcp");
        if (natsServer != null) {
          cb.variable(NatsSettings.SERVER.name(), natsServer);
        }
        RuntimeConfig cfg = cb.build();
        ObjectNode results = JsonNodeFactory.instance.objectNode();
        results.put("benchmark", "request-plane");
        results.put("plane", nats ? "nats" : "tcp");
        results.put("baseline", baseline);
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("java", System.getProperty("java.version"));
        results.put("duration_ms", durationMs);
        var unary = results.putArray("unary");
        var streaming = results.putArray("streaming");
        int phases = sizes.size() * 2 + sizes.size() * concurrency.size() + 1;
        try (DistributedRuntime rt = DistributedRuntime.builder().config(cfg).build();
            ProgressBar bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(phases).setStyle(ProgressBarStyle.ASCII).build()) {
          Client<JsonNode, JsonNode> echoClient = rt.endpoint("bench/rp/echo").client(Json.MAPPER.constructType(JsonNode.class));
          Client<JsonNode, JsonNode> bytesClient = rt.endpoint("bench/rp/bytes").client(Json.MAPPER.constructType(JsonNode.class));
          echoClient.waitForInstances(Duration.ofSeconds(20));
          bytesClient.waitForInstances(Duration.ofSeconds(20));
          bar.setExtraMessage("warm-up");
          unaryRun(echoClient, 64, Math.max(500, durationMs / 2));
          bar.step();
          for (int size : sizes) {
            bar.setExtraMessage("unary " + size + " B");
            Histogram ours = unaryRun(echoClient, size, durationMs);
            bar.step();
            bar.setExtraMessage("raw " + size + " B");
            Histogram base = nats ? rawNatsRun(cfg, size, durationMs) : rawRun(rawPort, size, durationMs);
            bar.step();
            ObjectNode r = unary.addObject();
            r.put("size", size);
            put(r.putObject("dynamo4j_us"), ours, durationMs);
            put(r.putObject(baseline), base, durationMs);
            r.put("ratio_p50", ratio(ours.getValueAtPercentile(50), base.getValueAtPercentile(50)));
            r.put("ratio_p99", ratio(ours.getValueAtPercentile(99), base.getValueAtPercentile(99)));
          }
          for (int size : sizes) {
            for (int c : concurrency) {
              bar.setExtraMessage("stream " + size + " B x" + c);
              long n = streamRun(bytesClient, size, c, items, durationMs);
              bar.step();
              ObjectNode r = streaming.addObject();
              r.put("size", size);
              r.put("concurrency", c);
              r.put("items_per_s", n * 1000 / durationMs);
              r.put("mib_per_s", Math.round(n * (double) size / durationMs * 1000 / (1 << 20) * 10) / 10.0);
            }
          }
        }
        Files.write(output, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(results));
        printTable(out, results);
        out.println("results written to " + output.toAbsolutePath());
        echo.terminate(Duration.ofSeconds(10));
        bytes.terminate(Duration.ofSeconds(10));
      }
      return 0;
    }

    static double ratio(long a, long b) {
      return b == 0 ? 0 : Math.round((double) a / b * 100) / 100.0;
    }

    static void put(ObjectNode n, Histogram h, long durationMs) {
      n.put("count", h.getTotalCount());
      n.put("calls_per_s", h.getTotalCount() * 1000 / durationMs);
      n.put("p50", h.getValueAtPercentile(50));
      n.put("p90", h.getValueAtPercentile(90));
      n.put("p99", h.getValueAtPercentile(99));
      n.put("p999", h.getValueAtPercentile(99.9));
      n.put("max", h.getMaxValue());
    }

    static Histogram unaryRun(Client<JsonNode, JsonNode> client, int size, long durationMs) throws Exception {
      Histogram h = new Histogram(60_000_000L, 3);
      JsonNode payload = JsonNodeFactory.instance.textNode("x".repeat(size));
      long end = System.nanoTime() + durationMs * 1_000_000L;
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        try (ResponseStream<JsonNode> s = client.call(payload)) {
          for (JsonNode ignored : s) {
            // one item
          }
        }
        h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
      }
      return h;
    }

    static Histogram rawRun(int port, int size, long durationMs) throws Exception {
      Histogram h = new Histogram(60_000_000L, 3);
      byte[] payload = new byte[size + 2];
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setTcpNoDelay(true);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        long end = System.nanoTime() + durationMs * 1_000_000L;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          out.writeInt(payload.length);
          out.write(payload);
          out.flush();
          int len = in.readInt();
          in.readNBytes(len);
          h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        }
      }
      return h;
    }

    /** Plain jnats request-reply to the baseline responder, one at a time. */
    static Histogram rawNatsRun(RuntimeConfig cfg, int size, long durationMs) throws Exception {
      Histogram h = new Histogram(60_000_000L, 3);
      byte[] payload = new byte[size + 2];
      try (Connection nc = NatsConnections.connect(NatsConfig.forRuntime(cfg))) {
        long end = System.nanoTime() + durationMs * 1_000_000L;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          if (nc.request(RawEchoServer.NATS_SUBJECT, payload, Duration.ofSeconds(10)) == null) {
            throw new IllegalStateException("the raw NATS responder did not answer within 10 s");
          }
          h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        }
      }
      return h;
    }

    static long streamRun(Client<JsonNode, JsonNode> client, int size, int concurrency, int items, long durationMs) throws Exception {
      LongAdder count = new LongAdder();
      long end = System.nanoTime() + durationMs * 1_000_000L;
      ObjectNode req = JsonNodeFactory.instance.objectNode().put("items", items).put("size", size);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < concurrency; i++) {
        threads.add(Thread.ofVirtual().start(() -> {
          try {
            while (System.nanoTime() < end) {
              try (ResponseStream<JsonNode> s = client.call(req)) {
                for (JsonNode ignored : s) {
                  count.increment();
                  if (System.nanoTime() >= end) {
                    break;
                  }
                }
              }
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("streaming run failed: " + failures.get(0), failures.get(0));
      }
      return count.sum();
    }

    static void printTable(PrintStream out, ObjectNode r) {
      out.println();
      boolean nats = "nats".equals(r.path("plane").asText());
      String baseline = r.path("baseline").asText("raw_tcp_us");
      out.printf("%s request plane: unary round trip, concurrency 1 (microseconds; raw = %s in another process)%n",
          nats ? "NATS" : "TCP", nats ? "jnats request-reply responder" : "plain-socket echo");
      out.printf("%8s %9s %8s %8s %8s %9s %8s %10s %10s%n", "size", "calls/s", "p50", "p90", "p99", "max", "raw p50", "ratio p50", "ratio p99");
      for (JsonNode u : r.get("unary")) {
        JsonNode d = u.get("dynamo4j_us");
        out.printf("%7dB %9d %8d %8d %8d %9d %8d %9.2fx %9.2fx%n", u.get("size").asInt(), d.get("calls_per_s").asLong(), d.get("p50").asLong(),
            d.get("p90").asLong(), d.get("p99").asLong(), d.get("max").asLong(), u.get(baseline).get("p50").asLong(),
            u.get("ratio_p50").asDouble(), u.get("ratio_p99").asDouble());
      }
      out.println();
      out.printf("streaming (items of the given size, %s items per request)%n", "many");
      out.printf("%8s %12s %12s %10s%n", "size", "concurrency", "items/s", "MiB/s");
      for (JsonNode s : r.get("streaming")) {
        out.printf("%7dB %12d %12d %10.1f%n", s.get("size").asInt(), s.get("concurrency").asInt(), s.get("items_per_s").asLong(), s.get("mib_per_s").asDouble());
      }
      out.println();
    }
  }
}
