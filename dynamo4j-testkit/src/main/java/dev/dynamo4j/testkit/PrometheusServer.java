package dev.dynamo4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Prometheus server (Debian package {@code prometheus}) as a child process on a free
 * loopback port, with its own data directory and a generated configuration that scrapes the given
 * targets every second. {@link #query} asks its HTTP API. A missing binary is an {@link
 * AssertionError} naming the package, so tests fail rather than skip.
 */
public final class PrometheusServer extends ServerProcess {
  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts scraping {@code targets} ({@code host:port}, path {@code /metrics}) every second. */
  public static PrometheusServer start(List<String> targets) throws IOException {
    Path dir = Files.createTempDirectory("dynamo4j-prometheus-");
    StringBuilder cfg = new StringBuilder()
        .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
        .append("scrape_configs:\n  - job_name: dynamo4j\n    static_configs:\n      - targets: [");
    for (int i = 0; i < targets.size(); i++) {
      cfg.append(i == 0 ? "" : ", ").append('\'').append(targets.get(i)).append('\'');
    }
    cfg.append("]\n");
    Files.writeString(dir.resolve("prometheus.yml"), cfg);
    PrometheusServer s = new PrometheusServer(dir, NatsServer.freePort());
    s.launch();
    return s;
  }

  @Override
  protected String name() {
    return "prometheus";
  }

  @Override
  protected void launch() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(EtcdServer.binary("prometheus", "prometheus"),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn"));
    process = track(new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prometheus.log").toFile()))
        .start());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("prometheus exited with " + process.exitValue() + "; log: " + Files.readString(dir.resolve("prometheus.log")));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for prometheus", e);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // poll interval of the readiness check
    }
    throw new IOException("prometheus not ready after 30 s; log in " + dir.resolve("prometheus.log"));
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Runs an instant PromQL query and returns {@code data.result} (an array of {@code {"metric":
   * {...}, "value": [ts, "v"]}}).
   *
   * @throws IOException when the API answers anything but success
   */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(
        HttpRequest.newBuilder(URI.create(url() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    JsonNode body = Json.parse("PrometheusApi", r.body());
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IOException("query " + promql + " failed: HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }
    return body.path("data").path("result");
  }

  /** The state Prometheus reports for its scrape targets ({@code /api/v1/targets}), for messages. */
  public String targets() throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/targets")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
