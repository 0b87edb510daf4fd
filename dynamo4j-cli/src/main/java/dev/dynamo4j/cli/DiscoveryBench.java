package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.etcd.EtcdConfig;
import dev.dynamo4j.etcd.EtcdKeyValueStore;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.FileKeyValueStore;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.WatchEvent;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dynamo4j bench discovery}: how long a registration takes to reach a watcher, and how long
 * listing many records takes, per backend, next to the same done on the key-value store under
 * discovery (the baseline: what discovery itself adds).
 */
@Command(
    name = "discovery",
    mixinStandardHelpOptions = true,
    description = {
      "Discovery backends: registration-to-watcher latency and listing time.",
      "",
      "Times register() in one client to Added in another client's watch (one registration at a time, percentiles), "
          + "and listing --records endpoint records. Each is done next to a baseline on the key-value store under "
          + "discovery (insert -> watch event, entries()), so the ratio is what discovery adds. Backends: mem and file "
          + "always; etcd with --etcd-endpoints or ETCD_ENDPOINTS. Two clients per backend, as two processes would have; "
          + "records are removed after."
    })
final class DiscoveryBench implements Callable<Integer> {
  @Option(names = "--backends", split = ",", description = "Backends to measure (default: mem,file, plus etcd when an endpoint is given).")
  List<String> backends;

  @Option(names = "--etcd-endpoints", paramLabel = "URLS", description = "etcd for the etcd backend; overrides ETCD_ENDPOINTS.")
  String etcdEndpoints;

  @Option(names = "--registrations", description = "Registrations timed one at a time (default: ${DEFAULT-VALUE}).", defaultValue = "200")
  int registrations;

  @Option(names = "--records", description = "Records to list (default: ${DEFAULT-VALUE}).", defaultValue = "10000")
  int records;

  @Option(names = "--output", description = "JSON results file (default: ${DEFAULT-VALUE}).", defaultValue = "bench-discovery.json")
  Path output;

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Override
  public Integer call() throws Exception {
    if (registrations < 1 || records < 1) {
      System.err.println("dynamo4j bench discovery: --registrations and --records must be at least 1");
      return 2;
    }
    String etcd = etcdEndpoints != null ? etcdEndpoints : System.getenv("ETCD_ENDPOINTS");
    List<String> which = backends != null ? backends : etcd != null ? List.of("mem", "file", "etcd") : List.of("mem", "file");
    for (String b : which) {
      if (!List.of("mem", "file", "etcd").contains(b)) {
        System.err.println("dynamo4j bench discovery: unknown backend '" + b + "'; use mem, file or etcd");
        return 2;
      }
    }
    ObjectNode results = JsonNodeFactory.instance.objectNode();
    results.put("benchmark", "discovery");
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("registrations", registrations);
    results.put("records", records);
    var rows = results.putArray("results");
    Path fileRoot = Files.createTempDirectory("dynamo4j-bench-kv-");
    MemoryKeyValueStore.Data memData = new MemoryKeyValueStore.Data(16384);
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(which.size() * (2L * registrations + 2L * records)).setStyle(ProgressBarStyle.ASCII).build()) {
      for (String backend : which) {
        Supplier<KeyValueStore> stores = switch (backend) {
          case "mem" -> () -> new MemoryKeyValueStore(memData);
          case "file" -> () -> new FileKeyValueStore(fileRoot);
          default -> () -> EtcdKeyValueStore.connect(EtcdConfig.builder(System.getenv()).endpoints(etcd).build(),
              EtcdKeyValueStore.DEFAULT_LEASE_TTL, EtcdKeyValueStore.LeaseLossPolicy.RENEW);
        };
        ObjectNode row = rows.addObject();
        row.put("backend", backend);
        try (KeyValueStore a = stores.get(); KeyValueStore b = stores.get()) {
          // warm-up rounds of each first (JIT, connections; at least 1 s), so neither side pays for it
          bar.setExtraMessage(backend + " warm-up");
          for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) {
            registerToAdded(new KvStoreDiscovery(a), new KvStoreDiscovery(b), 50, null);
            insertToEvent(a, b, 50, null);
          }
          bar.setExtraMessage(backend + " register -> Added");
          Histogram ours = registerToAdded(new KvStoreDiscovery(a), new KvStoreDiscovery(b), registrations, bar);
          bar.setExtraMessage(backend + " insert -> event");
          Histogram base = insertToEvent(a, b, registrations, bar);
          put(row.putObject("register_to_added_us"), ours);
          put(row.putObject("baseline_insert_to_event_us"), base);
          row.put("ratio_p50", ratio(ours.getValueAtPercentile(50), base.getValueAtPercentile(50)));
          bar.setExtraMessage(backend + " list " + records);
          double[] lists = listTimes(new KvStoreDiscovery(a), new KvStoreDiscovery(b), bar);
          row.put("list_ms", lists[0]);
          row.put("baseline_entries_ms", lists[1]);
          row.put("ratio_list", ratio(lists[0], lists[1]));
        }
      }
    } finally {
      deleteTree(fileRoot);
    }
    Files.write(output, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(results));
    PrintStream out = System.out;
    out.println();
    out.printf("discovery: register -> Added in another client's watch (us), and listing %d records (ms); baseline = the KV store under it%n", records);
    out.printf("%-8s %8s %8s %9s %9s %10s %10s %12s %10s%n", "backend", "p50", "p99", "base p50", "base p99", "ratio p50", "list ms", "entries ms", "ratio list");
    for (var r : rows) {
      out.printf("%-8s %8d %8d %9d %9d %9.2fx %10.1f %12.1f %9.2fx%n", r.get("backend").asText(),
          r.get("register_to_added_us").get("p50").asLong(), r.get("register_to_added_us").get("p99").asLong(),
          r.get("baseline_insert_to_event_us").get("p50").asLong(), r.get("baseline_insert_to_event_us").get("p99").asLong(),
          r.get("ratio_p50").asDouble(), r.get("list_ms").asDouble(), r.get("baseline_entries_ms").asDouble(), r.get("ratio_list").asDouble());
    }
    out.println();
    out.println("results written to " + output.toAbsolutePath());
    return 0;
  }

  private static void put(ObjectNode o, Histogram h) {
    o.put("count", h.getTotalCount());
    o.put("p50", h.getValueAtPercentile(50));
    o.put("p99", h.getValueAtPercentile(99));
    o.put("max", h.getMaxValue());
  }

  static double ratio(double ours, double base) {
    return base <= 0 ? 0 : Math.round(ours / base * 100) / 100.0;
  }

  private static DiscoverySpec.Endpoint spec(String ns, int i) {
    return new DiscoverySpec.Endpoint(ns, "bench", "e" + i, new TransportType.Tcp("127.0.0.1:1/bench/e" + i), null, PayloadCodec.MSGPACK);
  }

  private Histogram registerToAdded(KvStoreDiscovery registrar, KvStoreDiscovery watcher, int registrations, ProgressBar bar) throws InterruptedException {
    String ns = "bench" + System.nanoTime();
    Histogram h = new Histogram(60_000_000L, 3);
    List<DiscoveryInstance> made = new ArrayList<>();
    try (DiscoveryWatch w = watcher.listAndWatch(new DiscoveryQuery.NamespacedEndpoints(ns))) {
      for (int i = 0; i < registrations; i++) {
        long t0 = System.nanoTime();
        DiscoveryInstance inst = registrar.register(spec(ns, i));
        made.add(inst);
        while (true) {
          DiscoveryEvent e = w.poll(WAIT);
          if (e == null) {
            throw new IllegalStateException("no Added for " + inst.id().toPath() + " within " + WAIT);
          }
          if (e instanceof DiscoveryEvent.Added a && a.instance().id().equals(inst.id())) {
            break;
          }
        }
        h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        if (bar != null) {
          bar.step();
        }
      }
    }
    for (DiscoveryInstance i : made) {
      registrar.unregister(i);
    }
    return h;
  }

  private Histogram insertToEvent(KeyValueStore writer, KeyValueStore reader, int registrations, ProgressBar bar) throws InterruptedException {
    String bucket = "bench/raw" + System.nanoTime();
    Histogram h = new Histogram(60_000_000L, 3);
    Bucket wb = writer.getOrCreateBucket(bucket, null);
    try (KvWatch w = reader.getOrCreateBucket(bucket, null).watch()) {
      w.poll(WAIT); // the initial Resync
      byte[] value = "{\"bench\":true}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < registrations; i++) {
        String key = "k" + i;
        long t0 = System.nanoTime();
        wb.insert(key, value, 0);
        while (true) {
          WatchEvent e = w.poll(WAIT);
          if (e == null) {
            throw new IllegalStateException("no event for " + key + " within " + WAIT);
          }
          if (e instanceof WatchEvent.Put p && p.key().equals(key)) {
            break;
          }
        }
        h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        if (bar != null) {
          bar.step();
        }
      }
    }
    for (int i = 0; i < registrations; i++) {
      wb.delete("k" + i);
    }
    return h;
  }

  /** Registers {@code records} (64 at a time), then the median of 5 lists and of 5 entries() calls, in ms. */
  private double[] listTimes(KvStoreDiscovery registrar, KvStoreDiscovery lister, ProgressBar bar) throws Exception {
    String ns = "bench" + System.nanoTime();
    List<Integer> numbers = IntStream.range(0, records).boxed().toList();
    List<DiscoveryInstance> made = Collections.synchronizedList(new ArrayList<>());
    inParallel(numbers, n -> made.add(registrar.register(spec(ns, n))), bar);
    DiscoveryQuery q = new DiscoveryQuery.NamespacedEndpoints(ns);
    lister.list(q); // warm-up
    double list = median(() -> {
      int n = lister.list(q).size();
      if (n != records) {
        throw new IllegalStateException("listed " + n + " of " + records + " records");
      }
    });
    Bucket raw = lister.store().getOrCreateBucket(DiscoveryQuery.INSTANCES, null);
    double entries = median(raw::entries);
    inParallel(List.copyOf(made), registrar::unregister, bar);
    return new double[] {list, entries};
  }

  /** Runs {@code action} on every item, 64 at a time on virtual threads; the first failure is thrown. */
  private static <T> void inParallel(List<T> items, Consumer<T> action, ProgressBar bar) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (T item : items) {
        inFlight.acquire();
        fs.add(ex.submit(() -> {
          try {
            action.accept(item);
          } finally {
            inFlight.release();
          }
          synchronized (bar) {
            bar.step();
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    }
  }

  private static double median(Runnable r) {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      r.run();
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    ms.sort(Comparator.naturalOrder());
    return Math.round(ms.get(2) * 10) / 10.0;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
