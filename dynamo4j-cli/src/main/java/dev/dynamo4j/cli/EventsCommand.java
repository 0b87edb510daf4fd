package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.WireFormatException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j events publish|subscribe}. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = {
      "Publish events to, or subscribe to, a topic on the event plane.",
      "",
      "ZMQ by default: publishers are found through discovery, no broker. SCOPE is ns, ns/comp or ns/comp/ep; scopes are exact."
    },
    subcommands = {EventsCommand.Publish.class, EventsCommand.Subscribe.class},
    footer = {"", "Example (two terminals):", "  dynamo4j events subscribe demo kv-events", "  dynamo4j events publish demo kv-events '{\"block\":1}' --count 10 --rate 5"})
final class EventsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static EventScope scope(String s) {
    String[] p = s.replace('.', '/').split("/");
    return switch (p.length) {
      case 1 -> new EventScope.Namespace(p[0]);
      case 2 -> new EventScope.Component(p[0], p[1]);
      case 3 -> new EventScope.Endpoint(p[0], p[1], p[2]);
      default -> throw new DynamoException(ErrorType.InvalidArgument, "scope must be ns, ns/comp or ns/comp/ep, got '" + s + "'");
    };
  }

  @Command(name = "publish", mixinStandardHelpOptions = true, description = "Publish a JSON event, --count times at --rate per second.")
  static final class Publish implements Callable<Integer> {
    @Mixin RuntimeOptions runtime;

    @Parameters(index = "0", paramLabel = "SCOPE") String scope;

    @Parameters(index = "1", paramLabel = "TOPIC") String topic;

    @Parameters(index = "2", paramLabel = "JSON", description = "The event; a JSON string needs its quotes.") String json;

    @Option(names = "--count", description = "How many times (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int count;

    @Option(names = "--rate", description = "Events per second (default: ${DEFAULT-VALUE}; 0 = as fast as possible).", defaultValue = "10")
    double rate;

    @Option(names = "--delay-ms", description = "Wait after registering before the first event, so watching subscribers can connect; ZMQ drops events for subscribers not yet connected (default: ${DEFAULT-VALUE}).", defaultValue = "700")
    long delayMs;

    @Override
    public Integer call() throws Exception {
      JsonNode event;
      try {
        event = Json.parse("event", json.getBytes(StandardCharsets.UTF_8));
      } catch (WireFormatException e) {
        System.err.println("dynamo4j events publish: the event is not JSON: " + e.getMessage());
        return 2;
      }
      if (count < 0 || rate < 0 || delayMs < 0) {
        System.err.println("dynamo4j events publish: --count, --rate and --delay-ms must not be negative");
        return 2;
      }
      try (DistributedRuntime rt = runtime.build(); EventPublisher pub = rt.publisher(scope(scope), topic)) {
        System.out.printf("publisher %s on %s (%s event plane)%n", Long.toHexString(pub.publisherId()), pub.scope().subject(topic), rt.eventTransport().name());
        Thread.sleep(delayMs); // let subscribers that watch discovery connect first
        long intervalNs = rate == 0 ? 0 : (long) (1e9 / rate);
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
          long seq = pub.publish(event);
          System.out.printf("sent #%d%n", seq);
          next += intervalNs;
          long wait = next - System.nanoTime();
          if (wait > 0 && i < count - 1) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing at --rate
          }
        }
      }
      return 0;
    }
  }

  @Command(name = "subscribe", mixinStandardHelpOptions = true, description = "Print events as they arrive, with a running count of gaps, until Ctrl-C.")
  static final class Subscribe implements Callable<Integer> {
    @Mixin RuntimeOptions runtime;

    @Parameters(index = "0", paramLabel = "SCOPE") String scope;

    @Parameters(index = "1", paramLabel = "TOPIC") String topic;

    @Option(names = "--json", description = "One JSON object per event: publisher_id, sequence, published_at, topic, payload.")
    boolean json;

    @Option(names = "--count", description = "Exit after N events (default: run until interrupted).")
    int count = -1;

    @Override
    public Integer call() throws Exception {
      PrintStream out = System.out;
      try (DistributedRuntime rt = runtime.build(); EventSubscriber sub = rt.subscriber(scope(scope), topic)) {
        Runtime.getRuntime().addShutdownHook(new Thread(sub::close));
        // with --json stdout carries only events, so the readiness line goes to stderr
        PrintStream ready = json ? System.err : out;
        ready.printf("subscribed to %s (%s event plane); Ctrl-C to stop%n", sub.scope().subject(topic), rt.eventTransport().name());
        ready.flush();
        int n = 0;
        ReceivedEvent e;
        while ((count < 0 || n < count) && (e = sub.next()) != null) {
          n++;
          JsonNode payload;
          try {
            payload = e.decode(JsonNode.class);
          } catch (WireFormatException ex) {
            payload = Json.MAPPER.getNodeFactory().textNode("<" + e.payload().length + " undecodable bytes>");
          }
          EventSubscriber.Stats st = sub.stats();
          if (json) {
            var o = Json.MAPPER.createObjectNode();
            o.put("publisher_id", e.publisherId());
            o.put("sequence", e.sequence());
            o.put("published_at", e.envelope().publishedAt());
            o.put("topic", e.envelope().topic());
            o.set("payload", payload);
            out.println(o);
          } else {
            out.printf("%s  %s #%-5d %s   (received %d, gaps %d, publishers %d)%n",
                LocalTime.ofInstant(Instant.ofEpochMilli(e.envelope().publishedAt()), ZoneId.systemDefault()).toString(),
                Long.toHexString(e.publisherId()), e.sequence(), payload, st.received(), st.gaps(), st.publishers());
          }
          out.flush();
        }
      } catch (InterruptedException ie) {
        return 0;
      }
      return 0;
    }
  }
}
