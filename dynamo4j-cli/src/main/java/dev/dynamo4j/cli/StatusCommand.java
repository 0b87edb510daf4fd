package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j status URL}: what a process's status page shows, in the terminal. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show what a running process's status page shows: its health, the endpoints it serves with their request, error and "
          + "rejection counts, the instances discovery knows and its event-plane publishers and subscribers.",
      "",
      "URL is the process's system status server (started with --system-port or DYN_SYSTEM_PORT; 'serve' prints it). "
          + "--watch refreshes every --interval and shows rates; --json prints the raw /status.json."
    },
    footer = {"", "Example:", "  dynamo4j serve demo/backend/generate --system-port 9090", "  dynamo4j status http://127.0.0.1:9090/ --watch"})
final class StatusCommand implements Callable<Integer> {
  @Parameters(paramLabel = "URL", description = "The status server, e.g. http://127.0.0.1:9090/ (host:port is enough).")
  String url;

  @Option(names = "--json", description = "Print /status.json as it is (one document per refresh with --watch).")
  boolean json;

  @Option(names = "--watch", description = "Refresh until Ctrl-C.")
  boolean watch;

  @Option(names = "--interval-ms", description = "Refresh interval with --watch (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  long intervalMs;

  @Option(names = "--timeout-ms", description = "How long to wait for the process to answer (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
  long timeoutMs;

  @Override
  public Integer call() throws Exception {
    if (intervalMs < 100 || timeoutMs < 1) {
      System.err.println("dynamo4j status: --interval-ms must be at least 100 and --timeout-ms positive");
      return 2;
    }
    URI base;
    try {
      base = URI.create(url.contains("://") ? url : "http://" + url);
      if (base.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("dynamo4j status: '" + url + "' is not a URL like http://127.0.0.1:9090/");
      return 2;
    }
    URI report = base.resolve("/status.json");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMs)).build();
    JsonNode previous = null;
    do {
      JsonNode now;
      try {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(report).timeout(Duration.ofMillis(timeoutMs)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
          System.err.println("dynamo4j status: " + report + " answered HTTP " + r.statusCode() + " (is this a dynamo4j status server?)");
          return 1;
        }
        now = Json.parse("status.json", r.body());
      } catch (IOException e) {
        System.err.println("dynamo4j status: cannot reach " + report + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        if (!watch) {
          return 1;
        }
        Thread.sleep(intervalMs); // --watch retries at its interval
        continue;
      }
      if (json) {
        System.out.println(new String(Json.toBytes(now), StandardCharsets.UTF_8));
      } else {
        if (watch) {
          System.out.print("\033[H\033[2J");
        }
        print(System.out, now, previous);
      }
      System.out.flush();
      previous = now;
      if (watch) {
        Thread.sleep(intervalMs); // --watch refreshes at its interval
      }
    } while (watch);
    return 0;
  }

  static void print(PrintStream out, JsonNode r, JsonNode previous) {
    double dt = previous == null ? 0 : (r.path("time_ms").asLong() - previous.path("time_ms").asLong()) / 1000.0;
    out.printf("instance %s   status %s   uptime %.0f s%n%n", r.path("instance_id").asText(), r.path("status").asText(), r.path("uptime_seconds").asDouble());
    out.printf("%-40s %-9s %10s %8s %9s %7s %9s%n", "SERVED", "HEALTH", "REQUESTS", "REQ/S", "INFLIGHT", "ERRORS", "REJECTED");
    if (r.path("served").isEmpty()) {
      out.println("  (this process serves no endpoint)");
    }
    for (JsonNode s : r.path("served")) {
      out.printf("%-40s %-9s %10d %8s %9d %7d %9d%n", s.path("path").asText(), s.path("health").asText(), s.path("requests").asLong(),
          rate(s, previous == null ? null : previous.path("served"), "requests", dt), s.path("inflight").asLong(), s.path("errors").asLong(),
          s.path("rejected").asLong());
    }
    out.println();
    out.printf("%-40s %s%n", "DISCOVERED", "INSTANCES");
    if (r.hasNonNull("discovery_error")) {
      out.println("  discovery: " + r.path("discovery_error").asText());
    }
    for (JsonNode d : r.path("discovered")) {
      StringBuilder ids = new StringBuilder();
      for (JsonNode i : d.path("instances")) {
        ids.append(ids.isEmpty() ? "" : ", ").append(i.path("id").asText()).append(i.path("self").asBoolean() ? " (this process)" : "");
      }
      out.printf("%-40s %d: %s%n", d.path("path").asText(), d.path("instances").size(), ids);
    }
    if (!r.path("subscribers").isEmpty() || !r.path("publishers").isEmpty()) {
      out.println();
      out.printf("%-30s %-20s %10s %8s %7s %10s %10s%n", "SUBSCRIBED", "TOPIC", "RECEIVED", "EV/S", "GAPS", "DUPLICATES", "PUBLISHERS");
      for (JsonNode s : r.path("subscribers")) {
        out.printf("%-30s %-20s %10d %8s %7d %10d %10d%n", s.path("scope").asText(), s.path("topic").asText(), s.path("received").asLong(),
            rate(s, previous == null ? null : previous.path("subscribers"), "received", dt), s.path("gaps").asLong(), s.path("duplicates").asLong(),
            s.path("publishers").asLong());
      }
      for (JsonNode p : r.path("publishers")) {
        out.printf("publishing %s %s as %s: %d sent, %d dropped%n", p.path("scope").asText(), p.path("topic").asText(), p.path("publisher_id").asText(),
            p.path("sent").asLong(), p.path("dropped").asLong());
      }
    }
  }

  /** Per-second rate of {@code field} against the row of the same path/scope+topic in the previous report. */
  private static String rate(JsonNode row, JsonNode previousRows, String field, double dt) {
    if (previousRows == null || dt <= 0) {
      return "-";
    }
    for (JsonNode p : previousRows) {
      if (p.path("path").asText().equals(row.path("path").asText()) && p.path("scope").asText().equals(row.path("scope").asText())
          && p.path("topic").asText().equals(row.path("topic").asText())) {
        return String.format("%.1f", Math.max(0, row.path(field).asLong() - p.path(field).asLong()) / dt);
      }
    }
    return "-";
  }
}
