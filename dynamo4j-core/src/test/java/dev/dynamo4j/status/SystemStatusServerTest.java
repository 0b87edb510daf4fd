package dev.dynamo4j.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.internal.discovery.MemoryDiscoveryProvider;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.spi.config.SystemStatusOptions;
import dev.dynamo4j.spi.discovery.Discovery;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The system status server of a real runtime, asked over HTTP (spec §5.2, §5.3). */
@Timeout(60)
class SystemStatusServerTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private DistributedRuntime rt;

  private DistributedRuntime runtime(SystemStatusOptions options) {
    rt = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS)
            .systemHost("127.0.0.1").systemPort(0).systemStatus(options).build())
        .build();
    return rt;
  }

  @AfterEach
  void close() {
    if (rt != null) {
      rt.close();
    }
  }

  private HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.systemStatusPort() + path)).timeout(Duration.ofSeconds(10));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void notReadyUntilAnEndpointIsServedThenReadyWithItsName() throws Exception {
    runtime(SystemStatusOptions.DEFAULTS);
    assertThat(rt.systemStatusPort()).isPositive();
    HttpResponse<String> before = get("/health", null);
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).matches("\\{\"endpoints\":\\{},\"status\":\"notready\",\"uptime\":\\{\"nanos\":\\d+,\"secs\":\\d+}}");

    rt.namespace("ns").component("worker").endpoint("generate").serve(Integer.class, (Context<Integer> req) -> ResponseStream.of(req.controller(), List.of("x")));
    for (String path : List.of("/health", "/live")) {
      HttpResponse<String> after = get(path, null);
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.body()).matches("\\{\"endpoints\":\\{\"generate\":\"ready\"},\"status\":\"ready\",\"uptime\":\\{\"nanos\":\\d+,\"secs\":\\d+}}");
    }
  }

  @Test
  void pathsAndStartingStatusComeFromTheOptions() throws Exception {
    runtime(new SystemStatusOptions("/healthz", "/livez", true));
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get("/livez", null).body()).contains("\"status\":\"ready\"");
    assertThat(get("/health", null).statusCode()).isEqualTo(404);
  }

  @Test
  void aReadinessHoldKeepsTheProcessNotReady() throws Exception {
    runtime(SystemStatusOptions.DEFAULTS);
    AutoCloseable hold = rt.health().hold();
    rt.namespace("ns").component("worker").endpoint("generate").serve(Integer.class, (Context<Integer> req) -> ResponseStream.of(req.controller(), List.of("x")));
    assertThat(get("/health", null).statusCode()).isEqualTo(503);
    hold.close();
    hold.close();
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  void metricsCarryDynamosNamesAndLabelsAndCountEveryCall() throws Exception {
    runtime(SystemStatusOptions.DEFAULTS);
    ServedEndpoint ep = rt.namespace("dyn-ns").component("worker").endpoint("generate")
        .serve(Integer.class, (Context<Integer> req) -> ResponseStream.of(req.controller(), List.of("a", "b")));
    Client<Integer, String> c = rt.namespace("dyn-ns").component("worker").endpoint("generate").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      assertThat(c.call(i).toList()).containsExactly("a", "b");
    }
    String labels = "dynamo_component=\"worker\",dynamo_endpoint=\"generate\",dynamo_namespace=\"dyn_ns\",worker_id=\""
        + Long.toHexString(ep.instance().instanceId()) + "\"";
    HttpResponse<String> text = get("/metrics", null);
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(text.body())
        .contains("dynamo_component_requests_total{" + labels + "} 3")
        .contains("dynamo_component_request_duration_seconds_count{" + labels + "} 3")
        .contains("dynamo_component_inflight_requests{" + labels + "} 0")
        .contains("dynamo_component_errors_total{" + labels.replace("worker_id=", "error_type=\"generate\",worker_id=") + "} 0")
        .contains("dynamo_component_uptime_seconds ")
        .contains("dynamo4j_instance_id_changes_total 0");
    assertThat(text.body()).containsPattern("dynamo_component_request_bytes_total\\{" + Pattern.quote(labels) + "} [1-9]");
    assertThat(text.body()).containsPattern("dynamo_component_response_bytes_total\\{" + Pattern.quote(labels) + "} [1-9]");

    HttpResponse<String> om = get("/metrics", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
    assertThat(om.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
    assertThat(om.body()).contains("dynamo_component_requests_total{" + labels + "} 3").endsWith("# EOF\n");
  }

  @Test
  void metadataIsServedWhenTheDiscoveryBackendKeepsSome() throws Exception {
    Discovery mem = new MemoryDiscoveryProvider().create(RuntimeConfig.builder().build());
    byte[] md = "{\"endpoints\":{},\"model_cards\":{},\"event_channels\":{},\"event_sources\":{}}".getBytes(StandardCharsets.UTF_8);
    Discovery withMetadata = (Discovery) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {Discovery.class}, (proxy, method, args) ->
            method.getName().equals("metadata") ? Optional.of(md) : method.invoke(mem, args));
    rt = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS).systemHost("127.0.0.1").systemPort(0).build())
        .discovery(withMetadata)
        .build();
    HttpResponse<String> metadata = get("/metadata", null);
    assertThat(metadata.statusCode()).isEqualTo(200);
    assertThat(metadata.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(metadata.body()).isEqualTo(new String(md, StandardCharsets.UTF_8));
  }

  @Test
  void otherRoutesAnswerAsDynamosDo() throws Exception {
    runtime(SystemStatusOptions.DEFAULTS);
    HttpResponse<String> metadata = get("/metadata", null);
    assertThat(metadata.statusCode()).isEqualTo(404);
    assertThat(metadata.body()).isEqualTo("Discovery metadata not available");
    HttpResponse<String> unknown = get("/nope", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("Route not found");
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.systemStatusPort() + "/health"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void offByDefaultAndAnUnbindablePortDoesNotStopTheRuntime() throws Exception {
    try (DistributedRuntime off = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS).build()).build()) {
      assertThat(off.systemStatusPort()).isEqualTo(-1);
    }
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        DistributedRuntime clash = DistributedRuntime.builder()
            .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS)
                .systemHost("127.0.0.1").systemPort(taken.getLocalPort()).build()).build()) {
      assertThat(clash.systemStatusPort()).isEqualTo(-1);
      assertThat(clash.metrics().text()).contains("dynamo_component_uptime_seconds");
    }
  }
}
