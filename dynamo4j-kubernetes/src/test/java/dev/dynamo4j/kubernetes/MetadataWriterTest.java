package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exact requests of registration against a scripted API server: the server-side apply, the
 * fenced cleanup of a stale resource, and failing closed on every unexpected answer.
 */
@Timeout(60)
class MetadataWriterTest {
  static final String PATH = "/apis/nvidia.com/v1alpha1/namespaces/dynamo/dynamoworkermetadatas/worker-0";
  final KubeIdentity id = KubeIdentity.of("worker-0", "pod-uid-1", "dynamo", KubeIdentity.Mode.POD, null);
  ScriptedApiServer api;
  KubernetesClient client;
  MetadataWriter writer;

  @BeforeEach
  void start() throws Exception {
    api = new ScriptedApiServer();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(api.url()).withNamespace("dynamo").withRequestRetryBackoffLimit(0).build()).build();
    writer = new MetadataWriter(client.getHttpClient(), client.getMasterUrl().toString(), id, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    client.close();
    api.close();
  }

  static String resource(String owners, String extraMeta) {
    return "{\"apiVersion\":\"nvidia.com/v1alpha1\",\"kind\":\"DynamoWorkerMetadata\",\"metadata\":{\"name\":\"worker-0\",\"namespace\":\"dynamo\","
        + "\"uid\":\"cr-uid-7\",\"resourceVersion\":\"77\",\"ownerReferences\":" + owners + extraMeta + "},\"spec\":{\"data\":{}}}";
  }

  static final String OURS = "[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"worker-0\",\"uid\":\"pod-uid-1\",\"controller\":false}]";

  @Test
  void registrationIsOneServerSideApplyOfTheWholeResourceOwnedByThePod() {
    api.then(200, "{\"metadata\":{\"resourceVersion\":\"12\"}}");
    DiscoveryMetadata md = new DiscoveryMetadata();
    md.put(new DiscoverySpec.Endpoint("dynamo", "backend", "generate", new TransportType.Tcp("10.0.0.5:1/generate"), null, PayloadCodec.MSGPACK).toInstance(id.instanceId()));
    assertThat(writer.apply(md.toJson())).isEqualTo("12");
    ScriptedApiServer.Request r = api.requests().get(0);
    assertThat(r.method()).isEqualTo("PATCH");
    assertThat(r.pathAndQuery()).isEqualTo(PATH + "?fieldManager=dynamo-worker&force=true");
    assertThat(r.contentType()).startsWith("application/apply-patch+yaml");
    JsonNode body = Json.parseObject("t", r.body().getBytes(StandardCharsets.UTF_8));
    assertThat(body.get("apiVersion").asText()).isEqualTo("nvidia.com/v1alpha1");
    assertThat(body.get("kind").asText()).isEqualTo("DynamoWorkerMetadata");
    assertThat(body.at("/metadata/name").asText()).isEqualTo("worker-0");
    assertThat(body.at("/metadata/ownerReferences").toString())
        .isEqualTo("[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"worker-0\",\"uid\":\"pod-uid-1\",\"controller\":false,\"blockOwnerDeletion\":false}]");
    assertThat(body.at("/spec/data").toString()).isEqualTo(md.toJson().toString());
  }

  @Test
  void aFreshStartFindsNothingAndDeletesNothing() {
    api.then(404, "{\"kind\":\"Status\",\"code\":404}");
    writer.clearStale();
    assertThat(api.requests()).extracting(ScriptedApiServer.Request::method).containsExactly("GET");
  }

  @Test
  void aStaleResourceOfThisPodIsDeletedWithUidAndVersionPreconditions() {
    api.then(200, resource(OURS, "")).then(200, "{\"kind\":\"Status\",\"status\":\"Success\"}").then(404, "{}");
    writer.clearStale();
    List<ScriptedApiServer.Request> rs = api.requests();
    assertThat(rs).extracting(ScriptedApiServer.Request::method).containsExactly("GET", "DELETE", "GET");
    assertThat(rs.get(1).pathAndQuery()).isEqualTo(PATH);
    JsonNode options = Json.parseObject("t", rs.get(1).body().getBytes(StandardCharsets.UTF_8));
    assertThat(options.get("kind").asText()).isEqualTo("DeleteOptions");
    assertThat(options.get("preconditions").toString()).isEqualTo("{\"uid\":\"cr-uid-7\",\"resourceVersion\":\"77\"}");
  }

  @Test
  void analreadyDeletedResourceIsFine() {
    api.then(200, resource(OURS, "")).then(404, "{}").then(404, "{}");
    writer.clearStale();
    assertThat(api.requests()).hasSize(3);
  }

  @Test
  void foreignUnfencedPendingOrReplacedResourcesAreNeverDeleted() {
    String otherPod = "[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"worker-0\",\"uid\":\"older-pod\"}]";
    String twoOwners = "[" + OURS.substring(1, OURS.length() - 1) + ",{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\",\"uid\":\"x\"}]";
    for (String owners : List.of(otherPod, twoOwners, "[]")) {
      api.requests.clear();
      api.then(200, resource(owners, ""));
      assertThatThrownBy(writer::clearStale)
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
          .hasMessageStartingWith("refusing to clear discovery metadata dynamo/worker-0");
      assertThat(api.requests()).extracting(ScriptedApiServer.Request::method).containsExactly("GET");
    }
    api.requests.clear();
    api.then(200, resource(OURS, ",\"deletionTimestamp\":\"2026-12-02T08:00:00Z\""));
    assertThatThrownBy(writer::clearStale).hasMessageContaining("already being deleted");
    api.requests.clear();
    api.then(200, resource(OURS, "")).then(200, "{}").then(200, resource(OURS, ""));
    assertThatThrownBy(writer::clearStale).hasMessageContaining("replaced meanwhile");
  }

  @Test
  void apiErrorsFailClosed() {
    api.then(403, "{\"kind\":\"Status\",\"message\":\"dynamoworkermetadatas is forbidden: User cannot get\"}");
    assertThatThrownBy(writer::clearStale)
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
        .hasMessageContaining("HTTP 403: dynamoworkermetadatas is forbidden");
    api.then(200, resource(OURS, "")).then(409, "{\"message\":\"Precondition failed: UID in precondition\"}");
    assertThatThrownBy(writer::clearStale).hasMessageContaining("DELETE").hasMessageContaining("HTTP 409");
    api.then(200, resource(OURS, "")).then(500, "boom");
    assertThatThrownBy(writer::clearStale).hasMessageContaining("HTTP 500");
    api.then(422, "{\"message\":\"spec.data: Required value\"}");
    assertThatThrownBy(() -> writer.apply(new DiscoveryMetadata().toJson()))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
        .hasMessageContaining("PATCH").hasMessageContaining("HTTP 422: spec.data: Required value");
  }
}
