package dev.dynamo4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A short run of the side-by-side benchmark with every side: it must produce every figure (it judges none). */
@Timeout(300)
class RequestPlaneCompareTest {
  @TempDir Path dir;

  @Test
  void everySideProducesEveryFigureInTheTableJsonAndHtml() throws Exception {
    Path json = dir.resolve("rp.json");
    Path html = dir.resolve("rp.html");
    int code = new CommandLine(new BenchMain()).execute("request-plane", "--jit-seconds", "0", "--warmup-ms", "50", "--duration-ms", "200",
        "--items", "50", "--concurrency", "8", "--streams", "1,4", "--sizes", "64,4096", "--output", json.toString(), "--html", html.toString());
    assertThat(code).isZero();
    JsonNode r = Json.MAPPER.readTree(Files.readAllBytes(json));
    assertThat(r.get("errors").size()).isZero();
    assertThat(r.get("rows")).hasSize(2 * 6);
    assertThat(r.get("sides").toString()).contains("dynamo4j-mux-tls");
    for (JsonNode row : r.get("rows")) {
      for (String side : RequestPlaneCompare.TCP_SIDES) {
        assertThat(row.get("values").get(side).asDouble()).as(row.get("metric") + " of " + side).isPositive();
      }
      assertThat(row.get("ratios").get("dynamo4j-mux/grpc-java").asDouble()).isPositive();
      assertThat(row.get("ratios").get("dynamo4j-mux-tls/dynamo4j-mux").asDouble()).isPositive(); // the cost of TLS, same run
    }
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg", "unary_p50_us", "stream_x4_items_per_s", "grpc-java", "dynamo4j-legacy");
    assertThat(page.split("<svg", -1)).hasSize(2 * 6 + 1);
  }

  /** A short run of one plane's sides; every side gives every figure and every ratio named is there. */
  private JsonNode runPlane(String plane, List<String> sides, String... ratios) throws Exception {
    Path json = dir.resolve(plane + ".json");
    int code = new CommandLine(new BenchMain()).execute("request-plane", "--plane", plane, "--jit-seconds", "0", "--warmup-ms", "50", "--duration-ms", "200",
        "--items", "50", "--concurrency", "8", "--streams", "1", "--sizes", "64", "--output", json.toString(), "--html", dir.resolve(plane + ".html").toString());
    assertThat(code).isZero();
    JsonNode r = Json.MAPPER.readTree(Files.readAllBytes(json));
    assertThat(r.get("errors").size()).isZero();
    for (JsonNode row : r.get("rows")) {
      for (String side : sides) {
        assertThat(row.get("values").get(side).asDouble()).as(row.get("metric") + " of " + side).isPositive();
      }
      for (String ratio : ratios) {
        assertThat(row.get("ratios").get(ratio).asDouble()).as(row.get("metric") + " " + ratio).isPositive();
      }
    }
    return r;
  }

  @Test
  void theZmqPlaneRunsNextToRawJeromq() throws Exception {
    runPlane("zmq", RequestPlaneCompare.ZMQ_SIDES, "dynamo4j-zmq/jeromq", "dynamo4j-zmq-direct/jeromq", "dynamo4j-zmq-own/jeromq");
  }

  @Test
  void theNatsPlaneRunsNextToRawJnatsOnANatsServerStartedForTheRun() throws Exception {
    JsonNode r = runPlane("nats", RequestPlaneCompare.NATS_SIDES, "dynamo4j-nats/jnats", "dynamo4j-nats/dynamo4j-mux");
    assertThat(r.get("nats_server").asText()).startsWith("nats://127.0.0.1:");
  }

  @Test
  void anUnknownSideIsAUsageError() {
    assertThat(new CommandLine(new BenchMain()).execute("request-plane", "--sides", "kafka")).isEqualTo(2);
  }
}
