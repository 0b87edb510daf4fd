package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.nats.NatsConfig;
import dev.dynamo4j.nats.NatsConnections;
import dev.dynamo4j.nats.NatsEventTransport;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.zmq.ZmqEventOptions;
import dev.dynamo4j.zmq.ZmqEventTransport;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.Histogram;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dynamo4j bench event-plane}: the ZMQ event plane against raw JeroMQ PUB/SUB, or with
 * {@code --plane nats} the NATS event plane against raw jnats publish/subscribe on the same server;
 * same payloads, same run.
 */
@Command(
    name = "event-plane",
    mixinStandardHelpOptions = true,
    description = {
      "Event plane: latency and throughput against the raw client.",
      "",
      "One-way latency percentiles at a paced rate, and throughput flat out, per payload size; the same done with the "
          + "raw client as the baseline, printed as ratios. --plane zmq (default): loopback ZMQ, baseline raw JeroMQ "
          + "PUB/SUB, and the same sending Dynamo's 4 parts per event (both lossless: no drop at the high-water mark, "
          + "blocking sends; ours with DYN_ZMQ_SEND_TIMEOUT_MS=-1). --plane nats: through the NATS server of --nats-server / NATS_SERVER, baseline raw jnats "
          + "publish/subscribe on the same subject layout. Publisher and subscriber share this JVM (one clock) but use "
          + "separate contexts or connections.",
      "",
      "Flat-out throughput on a small machine varies a lot from run to run (publisher, subscriber and server compete "
          + "for the cores), so it is measured --rounds times, ours and the baseline alternating, and the median is reported."
    })
final class EventPlaneBench implements Callable<Integer> {
  @Option(names = "--duration-ms", description = "Length of each measurement (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
  long durationMs;

  @Option(names = "--sizes", split = ",", description = "Payload sizes in bytes, at least 8 (default: ${DEFAULT-VALUE}).", defaultValue = "64,1024,16384")
  List<Integer> sizes;

  @Option(names = "--rounds", description = "Throughput runs per size and side, alternating ours and the baseline; the median counts (default: ${DEFAULT-VALUE}).", defaultValue = "3")
  int rounds;

  @Option(names = "--rate", description = "Events per second in the latency runs (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
  int rate;

  @Option(names = "--output", description = "JSON results file (default: ${DEFAULT-VALUE}).", defaultValue = "bench-event-plane.json")
  Path output;

  @Option(names = "--plane", paramLabel = "zmq|nats", description = "Which event plane (default: ${DEFAULT-VALUE}).", defaultValue = "zmq")
  String plane;

  @Option(names = "--nats-server", paramLabel = "URLS", description = "NATS server for --plane nats; overrides NATS_SERVER (default nats://localhost:4222).")
  String natsServer;

  Connection natsConnect() {
    return NatsConnections.connect(NatsConfig.fromEnv(natsServer));
  }

  /** Our NATS event plane: two connections, envelope and gap accounting as in production. */
  Pair dynamo4jNats(String ns) throws InterruptedException {
    return ours(discovery -> new NatsEventTransport(natsConnect(), true, discovery), ns);
  }

  /** Raw jnats: publish the payload alone, read with nextMessage, same subject layout, two connections. */
  Pair rawNats(String ns) throws InterruptedException {
    Connection pc = natsConnect();
    Connection sc = natsConnect();
    String subject = new EventScope.Namespace(ns).subject("bench");
    Subscription sub = sc.subscribe(subject);
    try {
      sc.flush(Duration.ofSeconds(5));
    } catch (TimeoutException e) {
      throw new IllegalStateException("NATS did not confirm the subscription", e);
    }
    Pair p = new Pair() {
      public void send(byte[] payload) {
        pc.publish(subject, payload);
      }

      public byte[] receive(Duration timeout) throws InterruptedException {
        Message m = sub.nextMessage(timeout);
        return m == null ? null : m.getData();
      }

      public void close() {
        try {
          pc.close();
          sc.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    join(p);
    return p;
  }

  /** One side of a measurement: how to send a payload, how to receive one (null on timeout). */
  interface Pair extends AutoCloseable {
    void send(byte[] payload);

    byte[] receive(Duration timeout) throws InterruptedException;

    @Override
    void close();
  }

  /** Ours, lossless as the baselines are: publishers wait for room ({@code DYN_ZMQ_SEND_TIMEOUT_MS=-1}). */
  static Pair dynamo4j(String ns) throws InterruptedException {
    return ours(discovery -> new ZmqEventTransport(discovery, null, 100_000, null, false,
        ZmqEventOptions.fromEnv(System.getenv(), ZmqEventOptions.DEFAULTS).withSendTimeout(ZmqEventOptions.FOREVER)), ns);
  }

  /** Publisher and subscriber on two transports that share one discovery store, as two processes would. */
  static Pair ours(Function<KvStoreDiscovery, EventTransport> transport, String ns) throws InterruptedException {
    MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);
    EventTransport pubSide = transport.apply(new KvStoreDiscovery(new MemoryKeyValueStore(data)));
    EventTransport subSide = transport.apply(new KvStoreDiscovery(new MemoryKeyValueStore(data)));
    EventScope scope = new EventScope.Namespace(ns);
    EventSubscriber sub = EventSubscriber.create(subSide, scope, "bench", PayloadCodec.MSGPACK);
    EventPublisher pub = EventPublisher.create(pubSide, scope, "bench", PayloadCodec.MSGPACK);
    Pair p = new Pair() {
      public void send(byte[] payload) {
        pub.publishBytes(payload);
      }

      public byte[] receive(Duration timeout) throws InterruptedException {
        ReceivedEvent e = sub.poll(timeout);
        return e == null ? null : e.payload();
      }

      public void close() {
        pub.close();
        sub.close();
        pubSide.close();
        subSide.close();
      }
    };
    join(p);
    return p;
  }

  /**
   * Raw JeroMQ PUB/SUB, lossless: the PUB does not drop ({@code XPUB_NODROP}) and sends block at
   * the high-water mark, so sent == received. {@code fourParts}: each event as Dynamo's 4 frames
   * (topic, two u64 ids, the payload), the same number of ZMQ parts our plane sends; otherwise the
   * payload alone (what a user of raw JeroMQ would send).
   */
  static Pair raw(boolean fourParts) throws InterruptedException {
    ZContext pc = new ZContext(1);
    ZContext sc = new ZContext(1);
    ZMQ.Socket pub = pc.createSocket(SocketType.PUB);
    pub.setSndHWM(100_000);
    pub.setXpubNoDrop(true);
    pub.setHandshakeIvl(2000); // JeroMQ handshakes can stall; bound them as the transport does
    pub.bind("tcp://127.0.0.1:*");
    ZMQ.Socket sub = sc.createSocket(SocketType.SUB);
    sub.setRcvHWM(100_000);
    sub.setHandshakeIvl(2000);
    sub.setReconnectIVL(100);
    sub.subscribe(new byte[0]);
    sub.connect(pub.getLastEndpoint());
    Object lock = new Object();
    byte[] topic = "bench".getBytes(StandardCharsets.UTF_8);
    long[] seq = {0};
    Pair p = new Pair() {
      public void send(byte[] payload) {
        synchronized (lock) {
          if (fourParts) {
            pub.send(topic, ZMQ.SNDMORE);
            pub.send(ByteBuffer.allocate(8).putLong(42).array(), ZMQ.SNDMORE);
            pub.send(ByteBuffer.allocate(8).putLong(seq[0]++).array(), ZMQ.SNDMORE);
          }
          pub.send(payload, 0);
        }
      }

      public byte[] receive(Duration timeout) {
        sub.setReceiveTimeOut((int) Math.max(1, timeout.toMillis()));
        byte[] b = sub.recv(0);
        while (b != null && sub.hasReceiveMore()) {
          b = sub.recv(0); // the payload is the last part
        }
        return b;
      }

      public void close() {
        pc.close();
        sc.close();
      }
    };
    join(p);
    return p;
  }

  /** Sends probes until one arrives (ZMQ's slow joiner), then drains. */
  static void join(Pair p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    byte[] probe = new byte[8];
    while (System.nanoTime() < deadline) {
      p.send(probe);
      if (p.receive(Duration.ofMillis(100)) != null) {
        while (p.receive(Duration.ofMillis(200)) != null) {
          // drain
        }
        return;
      }
    }
    throw new IllegalStateException("the subscriber never joined");
  }

  static byte[] stamped(int size) {
    byte[] b = new byte[Math.max(8, size)];
    ByteBuffer.wrap(b).putLong(System.nanoTime());
    return b;
  }

  /** Paced sends; the receiver records one-way latency in microseconds. */
  static Histogram latency(Pair p, int size, int rate, long durationMs) throws Exception {
    Histogram h = new Histogram(60_000_000L, 3);
    AtomicLong sent = new AtomicLong();
    Thread sender = Thread.ofPlatform().start(() -> {
      long interval = 1_000_000_000L / rate;
      long next = System.nanoTime();
      long end = next + durationMs * 1_000_000L;
      while (next < end) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait); // not a spin: on 2 cores a spinning sender would take a core from the path measured
        }
        p.send(stamped(size));
        sent.incrementAndGet();
        next += interval;
      }
    });
    long end = System.nanoTime() + durationMs * 1_000_000L + 1_000_000_000L;
    while (System.nanoTime() < end) {
      byte[] b = p.receive(Duration.ofMillis(100));
      if (b == null) {
        if (!sender.isAlive()) {
          break;
        }
        continue;
      }
      h.recordValue(Math.max(1, (System.nanoTime() - ByteBuffer.wrap(b).getLong()) / 1000));
    }
    sender.join();
    return h;
  }

  /** Flat-out sends for the duration; returns {sent, received}. */
  static long[] throughput(Pair p, int size, long durationMs) throws Exception {
    AtomicLong sent = new AtomicLong();
    byte[] payload = stamped(size);
    Thread sender = Thread.ofPlatform().start(() -> {
      long end = System.nanoTime() + durationMs * 1_000_000L;
      while (System.nanoTime() < end) {
        p.send(payload.clone()); // JeroMQ does not copy what it sends
        sent.incrementAndGet();
      }
    });
    long received = 0;
    while (true) {
      byte[] b = p.receive(Duration.ofMillis(sender.isAlive() ? 500 : 300));
      if (b == null && !sender.isAlive()) {
        break;
      }
      if (b != null) {
        received++;
      }
    }
    sender.join();
    return new long[] {sent.get(), received};
  }

  @Override
  public Integer call() throws Exception {
    if (durationMs < 10 || rate < 1 || rounds < 1 || sizes.stream().anyMatch(s -> s < 8)) {
      System.err.println("dynamo4j bench event-plane: --duration-ms >= 10, --rate >= 1, --rounds >= 1, sizes >= 8");
      return 2;
    }
    if (!plane.equalsIgnoreCase("zmq") && !plane.equalsIgnoreCase("nats")) {
      System.err.println("dynamo4j bench event-plane: --plane must be zmq or nats, got '" + plane + "'");
      return 2;
    }
    boolean nats = plane.equalsIgnoreCase("nats");
    String baseline = nats ? "raw_jnats" : "raw_jeromq";
    PrintStream out = System.out;
    ObjectNode results = JsonNodeFactory.instance.objectNode();
    results.put("benchmark", "event-plane");
    results.put("plane", nats ? "nats" : "zmq");
    results.put("baseline", baseline);
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("duration_ms", durationMs);
    results.put("latency_rate_per_s", rate);
    var rows = results.putArray("results");
    results.put("throughput_rounds", rounds);
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(sizes.size() * (long) (nats ? 2 : 3) * (1L + rounds)).setStyle(ProgressBarStyle.ASCII).build()) {
      for (int size : sizes) {
        ObjectNode r = rows.addObject();
        r.put("size", size);
        String ns = "bench" + System.nanoTime();
        try (Pair ours = nats ? dynamo4jNats(ns) : dynamo4j(ns); Pair base = nats ? rawNats(ns + "raw") : raw(false);
            Pair base4 = nats ? null : raw(true)) {
          Map<String, Pair> pairs = new LinkedHashMap<>();
          pairs.put("dynamo4j", ours);
          pairs.put(baseline, base);
          if (base4 != null) {
            pairs.put(baseline + "_4part", base4);
          }
          Map<String, List<long[]>> tps = new LinkedHashMap<>();
          for (var e : pairs.entrySet()) {
            bar.setExtraMessage(e.getKey() + " " + size + " B latency");
            Histogram h = latency(e.getValue(), size, rate, durationMs);
            bar.step();
            ObjectNode o = r.putObject(e.getKey());
            o.put("latency_count", h.getTotalCount());
            o.put("p50_us", h.getValueAtPercentile(50));
            o.put("p99_us", h.getValueAtPercentile(99));
            o.put("max_us", h.getMaxValue());
            tps.put(e.getKey(), new ArrayList<>());
          }
          for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(pairs.keySet());
            if (round % 2 == 1) {
              Collections.reverse(order);
            }
            for (String which : order) {
              bar.setExtraMessage(which + " " + size + " B throughput " + (round + 1) + "/" + rounds);
              tps.get(which).add(throughput(pairs.get(which), size, durationMs));
              bar.step();
            }
          }
          for (var e : tps.entrySet()) {
            ObjectNode o = (ObjectNode) r.get(e.getKey());
            var perRound = o.putArray("received_per_s_rounds");
            long sent = 0;
            long received = 0;
            List<Long> rates = new ArrayList<>();
            for (long[] tp : e.getValue()) {
              sent += tp[0];
              received += tp[1];
              rates.add(tp[1] * 1000 / durationMs);
              perRound.add(tp[1] * 1000 / durationMs);
            }
            Collections.sort(rates);
            o.put("sent", sent);
            o.put("received", received);
            o.put("lossless", sent == received);
            o.put("received_per_s", rates.get(rates.size() / 2));
          }
        }
        if (r.has(baseline + "_4part")) {
          long four = r.get(baseline + "_4part").get("received_per_s").asLong();
          r.put("ratio_throughput_4part", four == 0 ? 0 : Math.round((double) r.get("dynamo4j").get("received_per_s").asLong() / four * 100) / 100.0);
        }
        r.put("ratio_p50", BenchCommand.RequestPlane.ratio(r.get("dynamo4j").get("p50_us").asLong(), r.get(baseline).get("p50_us").asLong()));
        long oursRate = r.get("dynamo4j").get("received_per_s").asLong();
        long baseRate = r.get(baseline).get("received_per_s").asLong();
        r.put("ratio_throughput", baseRate == 0 ? 0 : Math.round((double) oursRate / baseRate * 100) / 100.0);
      }
    }
    Files.write(output, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(results));
    out.println();
    out.printf("%s event plane: one-way latency at %d events/s (us) and flat-out throughput (events/s received, median of %d); raw = %s%n",
        nats ? "NATS" : "ZMQ", rate, rounds, nats ? "jnats publish/subscribe" : "JeroMQ PUB/SUB");
    if (!nats) {
      out.println("raw4 = the same JeroMQ PUB/SUB sending Dynamo's 4 parts per event (topic, two u64 ids, payload), as this plane must");
    }
    out.printf("%8s %8s %8s %8s %8s %10s %12s %12s %11s %12s %11s %9s%n", "size", "p50", "p99", "raw p50", "raw p99", "ratio p50", "recv/s",
        "raw recv/s", "ratio tput", "raw4 recv/s", "ratio raw4", "lossless");
    for (var r : rows) {
      var d = r.get("dynamo4j");
      var b = r.get(baseline);
      var b4 = r.get(baseline + "_4part");
      boolean lossless = d.get("lossless").asBoolean() && b.get("lossless").asBoolean() && (b4 == null || b4.get("lossless").asBoolean());
      out.printf("%7dB %8d %8d %8d %8d %9.2fx %12d %12d %10.2fx %12s %11s %9s%n", r.get("size").asInt(), d.get("p50_us").asLong(), d.get("p99_us").asLong(),
          b.get("p50_us").asLong(), b.get("p99_us").asLong(), r.get("ratio_p50").asDouble(), d.get("received_per_s").asLong(),
          b.get("received_per_s").asLong(), r.get("ratio_throughput").asDouble(),
          b4 == null ? "-" : Long.toString(b4.get("received_per_s").asLong()),
          b4 == null ? "-" : String.format("%.2fx", r.get("ratio_throughput_4part").asDouble()),
          lossless ? "yes" : "NO");
    }
    out.println();
    out.println("results written to " + output.toAbsolutePath());
    return 0;
  }
}
