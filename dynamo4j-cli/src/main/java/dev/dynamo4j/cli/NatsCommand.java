package dev.dynamo4j.cli;

import dev.dynamo4j.nats.NatsServiceStats;
import dev.dynamo4j.wire.Json;
import io.nats.client.Connection;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j nats stats}: what the NATS micro-services of components report. */
@Command(
    name = "nats",
    mixinStandardHelpOptions = true,
    description = {"Look at the NATS side of a deployment."},
    subcommands = {NatsCommand.Stats.class})
final class NatsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = {
        "Print what every worker of a component reports to $SRV.STATS.",
        "",
        "Asks every instance of a component's NATS micro-service for its statistics ($SRV.STATS.<service>) and prints "
            + "the replies that arrive within --timeout: per endpoint the requests and errors counted by the NATS request "
            + "plane, the mean time to acknowledge, and the data of the endpoint's stats handler. Workers have such a "
            + "service only when they serve with DYN_REQUEST_PLANE=nats."
      },
      footer = {"", "Example:", "  dynamo4j nats stats dynamo/backend", "  dynamo4j nats stats dynamo_backend --json --timeout 1"})
  static final class Stats implements Callable<Integer> {
    @Mixin NatsOptions nats;

    @Parameters(paramLabel = "SERVICE", description = "NAMESPACE/COMPONENT, or the service name itself (slugify(\"<ns>_<comp>\")).")
    String service;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to collect replies, more than 0 and at most 10 (default: ${DEFAULT-VALUE}, Dynamo's scrape window).", defaultValue = "0.5")
    double timeoutSeconds;

    @Option(names = "--json", description = "Print each reply as it came, one JSON object per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      String name = service;
      int slash = service.indexOf('/');
      if (slash > 0 && slash == service.lastIndexOf('/')) {
        name = NatsServiceStats.serviceName(service.substring(0, slash), service.substring(slash + 1));
      }
      Duration timeout = Duration.ofNanos((long) (timeoutSeconds * 1e9));
      NatsServiceStats.Result r;
      try (Connection nc = nats.connect()) {
        r = NatsServiceStats.collect(nc, name, timeout);
      }
      PrintStream out = System.out;
      if (r.unreadable() > 0) {
        System.err.printf("dynamo4j nats stats: %d reply(ies) were not JSON and are left out%n", r.unreadable());
      }
      if (r.services().isEmpty()) {
        System.err.printf("dynamo4j nats stats: no instance of service %s answered within %d ms%n", name, timeout.toMillis());
        return 1;
      }
      if (json) {
        for (NatsServiceStats.ServiceStats s : r.services()) {
          out.println(Json.MAPPER.writeValueAsString(s.raw()));
        }
        return 0;
      }
      out.printf("service %s: %d instance(s) answered within %d ms%n", name, r.services().size(), timeout.toMillis());
      for (NatsServiceStats.ServiceStats s : r.services()) {
        out.printf("  %s  version %s  started %s%n", s.id(), s.version(), s.started());
        for (NatsServiceStats.EndpointStats e : s.endpoints()) {
          out.printf("    %-32s requests %d  errors %d  mean ack %.1f µs%s%s%n", e.name(), e.numRequests(), e.numErrors(), e.averageProcessingTimeNanos() / 1000.0,
              e.lastError().isEmpty() ? "" : "  last error \"" + e.lastError() + "\"",
              e.data().isNull() ? "" : "  data " + Json.MAPPER.writeValueAsString(e.data()));
        }
      }
      return 0;
    }
  }
}
