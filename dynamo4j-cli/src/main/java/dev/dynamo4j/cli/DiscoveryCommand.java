package dev.dynamo4j.cli;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.EndpointId;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.RoutingKey;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j discovery list|watch|register}. */
@Command(
    name = "discovery",
    mixinStandardHelpOptions = true,
    description = "Look at what is registered in discovery, follow it live, or register a test record.",
    subcommands = {DiscoveryCommand.ListCmd.class, DiscoveryCommand.WatchCmd.class, DiscoveryCommand.RegisterCmd.class},
    footer = {"", "Examples:", "  dynamo4j discovery list", "  dynamo4j discovery watch dynamo/backend --json", "  dynamo4j discovery register demo/worker/generate --for 10"})
final class DiscoveryCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  static DiscoveryQuery query(String path) {
    return DiscoveryQuery.endpointsUnder(path == null ? null : path.replace('.', '/').replaceAll("^dyn:/+", ""));
  }

  static String describe(Instance i) {
    return String.format("%-40s %-16s %s %s%s", i.namespace() + "/" + i.component() + "/" + i.endpoint(), i.instanceIdHex(),
        i.transport().tag(), i.transport().address(), i.requestPlaneCodec() == null ? "" : "  [" + i.requestPlaneCodec().wireName() + "]");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the endpoint instances under ns[/comp[/ep]] (all when omitted).")
  static final class ListCmd implements Callable<Integer> {
    @Mixin DiscoveryOptions opts;

    @Parameters(arity = "0..1", paramLabel = "NS[/COMP[/EP]]", description = "What to list; dots or slashes separate the parts.")
    String path;

    @Option(names = "--json", description = "Print the records as a JSON array, exactly as stored.")
    boolean json;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      RuntimeConfig cfg = opts.config();
      try (Discovery d = opts.connect()) {
        List<DiscoveryInstance> records = d.list(query(path));
        if (json) {
          out.print("[");
          for (int i = 0; i < records.size(); i++) {
            out.print((i > 0 ? "," : "") + new String(records.get(i).toJson(), StandardCharsets.UTF_8));
          }
          out.println("]");
          return 0;
        }
        if (records.isEmpty()) {
          out.println("no endpoint instances" + (path == null ? "" : " under " + path) + " (" + opts.describe(cfg) + ")");
          return 0;
        }
        out.printf("%-40s %-16s %s%n", "ENDPOINT", "INSTANCE", "TRANSPORT");
        records.stream()
            .map(r -> ((DiscoveryInstance.Endpoint) r).instance())
            .sorted(Comparator.comparing(Instance::toString))
            .forEach(i -> out.println(describe(i)));
        out.println(records.size() + " instance" + (records.size() == 1 ? "" : "s") + " (" + opts.describe(cfg) + ")");
        return 0;
      }
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true, description = "Print endpoint instances as they appear (+) and disappear (-), until Ctrl-C.")
  static final class WatchCmd implements Callable<Integer> {
    @Mixin DiscoveryOptions opts;

    @Parameters(arity = "0..1", paramLabel = "NS[/COMP[/EP]]", description = "What to watch (all when omitted).")
    String path;

    @Option(names = "--json", description = "One JSON object per event: {\"event\":\"added\",\"record\":...} or {\"event\":\"removed\",\"id\":...}.")
    boolean json;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N events (default: run until interrupted).")
    int count = -1;

    @Override
    public Integer call() throws Exception {
      PrintStream out = System.out;
      RuntimeConfig cfg = opts.config();
      try (Discovery d = opts.connect(); DiscoveryWatch w = d.listAndWatch(query(path))) {
        if (!json) {
          out.println("watching " + (path == null ? "all endpoints" : path) + " in " + opts.describe(cfg) + " (Ctrl-C to stop)");
        }
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
          w.close();
          main.interrupt();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        int seen = 0;
        DiscoveryEvent e;
        while ((count < 0 || seen < count) && (e = w.next()) != null) {
          seen++;
          String now = LocalTime.now().format(TIME);
          switch (e) {
            case DiscoveryEvent.Added a -> out.println(json
                ? "{\"event\":\"added\",\"record\":" + new String(a.instance().toJson(), StandardCharsets.UTF_8) + "}"
                : now + "  + " + (a.instance() instanceof DiscoveryInstance.Endpoint ep ? describe(ep.instance()) : a.instance().id().toPath()));
            case DiscoveryEvent.Removed r -> out.println(json
                ? "{\"event\":\"removed\",\"id\":" + new String(Json.toBytes(r.id().toPath()), StandardCharsets.UTF_8)
                    + ",\"instance_id\":" + Long.toUnsignedString(r.id().instanceId()) + "}"
                : now + "  - " + r.id().toPath());
          }
          out.flush();
        }
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: we are being interrupted anyway
        }
        return 0;
      } catch (InterruptedException e) {
        return 0;
      }
    }
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description = {
        "Register an endpoint record under this process's instance id and hold it until Ctrl-C (or --for).",
        "For trying discovery without a worker: nothing serves the address."
      })
  static final class RegisterCmd implements Callable<Integer> {
    @Mixin DiscoveryOptions opts;

    @Parameters(paramLabel = "NS/COMP/EP", description = "The endpoint to register.")
    String path;

    @Option(names = "--address", paramLabel = "HOST:PORT/KEY", description = "TCP address to advertise (default: 127.0.0.1:0/<id hex>/<ns>/<comp>/<ep>).")
    String address;

    @Option(names = "--for", paramLabel = "SECONDS", description = "Unregister and exit after this many seconds.")
    long seconds = -1;

    @Override
    public Integer call() throws Exception {
      EndpointId id = EndpointId.parse(path);
      RuntimeConfig cfg = opts.config();
      CountDownLatch done = new CountDownLatch(1);
      Discovery d = opts.connect();
      Thread hook = new Thread(() -> {
        d.shutdown();
        done.countDown();
      });
      Runtime.getRuntime().addShutdownHook(hook);
      String addr = address != null ? address
          : "127.0.0.1:0/" + RoutingKey.instancePath(d.instanceId(), id.namespace(), id.component(), id.name());
      DiscoveryInstance inst = d.register(new DiscoverySpec.Endpoint(id.namespace(), id.component(), id.name(), new TransportType.Tcp(addr), null, cfg.requestPlaneCodec()));
      System.out.println("registered " + describe(((DiscoveryInstance.Endpoint) inst).instance()) + " in " + opts.describe(cfg)
          + (seconds >= 0 ? " for " + seconds + " s" : " (Ctrl-C to remove)"));
      System.out.flush();
      boolean finished = seconds >= 0 ? done.await(seconds, TimeUnit.SECONDS) : awaitForever(done);
      if (!finished) {
        Runtime.getRuntime().removeShutdownHook(hook);
        d.shutdown();
        System.out.println("unregistered " + id);
      }
      return 0;
    }

    private static boolean awaitForever(CountDownLatch done) throws InterruptedException {
      done.await();
      return true;
    }
  }

}
