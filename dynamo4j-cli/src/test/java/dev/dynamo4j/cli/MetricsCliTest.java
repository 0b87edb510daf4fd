package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.testkit.ChildJvm;
import dev.dynamo4j.testkit.PrometheusServer;
import dev.dynamo4j.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus scrapes a {@code serve} process's /metrics (issue 14). */
@Timeout(180)
class MetricsCliTest {
  @TempDir Path root;

  @Test
  void prometheusScrapesDynamosFamiliesFromAServeProcess() throws Exception {
    try (ChildJvm worker = ChildJvm.start(Main.class, "serve", "cli/backend/generate", "--file-kv", root.toString(),
        "--delay-ms", "0", "--tokens", "2", "--system-port", "0")) {
      String serving = worker.awaitLine("serving ", Duration.ofSeconds(60));
      Matcher id = Pattern.compile("as instance ([0-9a-f]+) ").matcher(serving);
      assertThat(id.find()).as(serving).isTrue();
      String status = worker.awaitLine("status server at ", Duration.ofSeconds(10));
      Matcher url = Pattern.compile("at (http://[^ ]+/) ").matcher(status);
      assertThat(url.find()).as(status).isTrue();
      URI base = URI.create(url.group(1));

      HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"generate\":\"ready\"");

      int calls = 5;
      for (int i = 0; i < calls; i++) {
        assertThat(CliTest.run("call", "cli/backend/generate", "\"a b\"", "--file-kv", root.toString()).code()).isZero();
      }

      CliTest.Result shown = CliTest.run("status", base.toString());
      assertThat(shown.code()).isZero();
      assertThat(shown.out()).contains("status ready").containsPattern("cli/backend/generate\\s+ready\\s+" + calls + "\\b")
          .contains(id.group(1) + " (this process)");
      CliTest.Result json = CliTest.run("status", base.getHost() + ":" + base.getPort(), "--json");
      assertThat(json.code()).isZero();
      JsonNode report = Json.parse("test", json.out().strip().getBytes(StandardCharsets.UTF_8));
      assertThat(report.path("served").get(0).path("requests").asLong()).isEqualTo(calls);
      assertThat(CliTest.run("status", "not a url").code()).isEqualTo(2);
      assertThat(CliTest.run("status", "http://127.0.0.1:1/", "--timeout-ms", "500").code()).isEqualTo(1);

      try (PrometheusServer prometheus = PrometheusServer.start(List.of(base.getHost() + ":" + base.getPort()))) {
        String query = "dynamo_component_requests_total{dynamo_endpoint=\"generate\"}";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          JsonNode result = prometheus.query(query);
          assertThat(result.size()).as("series of %s; targets: %s", query, prometheus.targets()).isEqualTo(1);
          assertThat(result.get(0).path("value").get(1).asText()).isEqualTo(String.valueOf(calls));
        });
        JsonNode series = prometheus.query(query).get(0).path("metric");
        assertThat(series.path("dynamo_namespace").asText()).isEqualTo("cli");
        assertThat(series.path("dynamo_component").asText()).isEqualTo("backend");
        assertThat(series.path("worker_id").asText()).isEqualTo(id.group(1));
        JsonNode histogram = prometheus.query("dynamo_component_request_duration_seconds_count{dynamo_endpoint=\"generate\"}");
        assertThat(histogram.get(0).path("value").get(1).asText()).isEqualTo(String.valueOf(calls));
        assertThat(prometheus.query("dynamo_component_uptime_seconds").size()).isEqualTo(1);
      }
    }
  }
}
