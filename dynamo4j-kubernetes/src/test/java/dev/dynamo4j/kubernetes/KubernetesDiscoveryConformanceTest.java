package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.testkit.DiscoveryConformance;
import dev.dynamo4j.wire.Json;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The discovery conformance suite on the Kubernetes backend, every client a pod of its own that
 * its EndpointSlice lists as ready, against fabric8's mock API server; and what is Kubernetes'
 * own: readiness decides.
 */
class KubernetesDiscoveryConformanceTest extends DiscoveryConformance {
  MockApiServer api; // one per test: fabric8's mock can stall when watches close under load
  static final AtomicInteger PODS = new AtomicInteger();
  static final String NS = "dynamo";

  @BeforeEach
  void start() {
    api = new MockApiServer();
  }

  @AfterEach
  void stop() {
    shutdownClients(); // before the server goes
    api.close();
  }

  @Override
  protected Discovery newDiscovery() {
    return api.discovery(NS, "worker-" + PODS.incrementAndGet());
  }

  @Test
  void aWorkerThatIsNotReadyIsNotListedAndLeavesWatchesAtOnce() throws Exception {
    String pod = "flaky-" + PODS.incrementAndGet();
    Discovery worker = api.discovery(NS, pod);
    Discovery watcher = client();
    try (DiscoveryWatch w = watcher.listAndWatch(new DiscoveryQuery.ComponentEndpoints(ns, "c"))) {
      DiscoveryInstance inst = worker.register(endpoint(ns, "c", "e"));
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Added(inst));
      api.slice(NS, pod, "uid-" + pod, false);
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Removed(inst.id()));
      assertThat(watcher.list(new DiscoveryQuery.ComponentEndpoints(ns, "c"))).isEmpty();
      api.slice(NS, pod, "uid-" + pod, true);
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Added(inst));
    } finally {
      worker.shutdown();
    }
  }

  @Test
  void theResourceHoldsDynamosSpecDataAndAnOwnerReferenceToThePod() {
    String pod = "shape-" + PODS.incrementAndGet();
    Discovery worker = api.discovery(NS, pod);
    try {
      worker.register(endpoint(ns, "c", "generate"));
      var r = api.client.genericKubernetesResources(MockApiServer.CRD).inNamespace(NS).withName(pod).get();
      assertThat(r.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
        assertThat(o.getKind()).isEqualTo("Pod");
        assertThat(o.getName()).isEqualTo(pod);
        assertThat(o.getUid()).isEqualTo("uid-" + pod);
      });
      @SuppressWarnings("unchecked")
      var data = (Map<String, Object>) ((Map<String, Object>) r.getAdditionalProperties().get("spec")).get("data");
      assertThat(data).containsOnlyKeys("endpoints", "model_cards", "event_channels", "event_sources");
      assertThat(new String(worker.metadata().orElseThrow(), StandardCharsets.UTF_8))
          .isEqualTo(Json.MAPPER.valueToTree(data).toString()); // GET /metadata serves what the resource holds
      Set<String> keys = new HashSet<>();
      ((Map<?, ?>) data.get("endpoints")).keySet().forEach(k -> keys.add((String) k));
      assertThat(keys).containsExactly(ns + "/c/generate/" + Long.toHexString(worker.instanceId()));
    } finally {
      worker.shutdown();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client().list(new DiscoveryQuery.ComponentEndpoints(ns, "c")).isEmpty());
  }

  @Test
  void aWriteTheApiServerFailsLeavesNothingBehind() {
    Discovery worker = client();
    DiscoveryInstance first = worker.register(endpoint(ns, "c", "one"));
    api.failApplies = true;
    Assertions.assertThatThrownBy(() -> worker.register(endpoint(ns, "c", "two")))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
        .hasMessageContaining("HTTP 500: etcdserver: request timed out");
    Assertions.assertThatThrownBy(() -> worker.unregister(first)).hasMessageContaining("HTTP 500");
    api.failApplies = false;
    DiscoveryInstance third = worker.register(endpoint(ns, "c", "three"));
    // "two" was rolled back and "first" is still there: the next write carries exactly what succeeded
    assertThat(worker.list(new DiscoveryQuery.ComponentEndpoints(ns, "c"))).containsExactlyInAnyOrder(first, third);
  }

  /** A Pod with Dynamo's labels whose containers have the given readiness (container mode reads these). */
  void pod(String name, String uid, Map<String, Boolean> containers) {
    var statuses = containers.entrySet().stream().map(e -> new ContainerStatusBuilder()
        .withName(e.getKey()).withReady(e.getValue()).build()).toList();
    var p = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).withUid(uid).withLabels(KubeView.LABELS).endMetadata()
        .withNewStatus().withContainerStatuses(statuses).endStatus().build();
    api.client.pods().inNamespace(NS).resource(p).createOr(e -> e.update());
  }

  KubernetesDiscovery containerDiscovery(String pod, String container) {
    KubeIdentity id = KubeIdentity.of(pod, "uid-" + pod, NS, KubeIdentity.Mode.CONTAINER, container);
    return new KubernetesDiscovery(api.client, false, id,
        new MetadataWriter(api.client.getHttpClient(), api.client.getMasterUrl().toString(), id, Duration.ofSeconds(10)));
  }

  @Test
  void containerModeJoinsEachReadyContainerWithItsOwnResource() throws Exception {
    String pod = "multi-" + PODS.incrementAndGet();
    pod(pod, "uid-" + pod, Map.of("engine-0", true, "engine-1", false));
    KubernetesDiscovery e0 = containerDiscovery(pod, "engine-0");
    KubernetesDiscovery e1 = containerDiscovery(pod, "engine-1");
    try {
      assertThat(e0.instanceId()).isNotEqualTo(e1.instanceId());
      DiscoveryInstance a = e0.register(endpoint(ns, "c", "gen"));
      DiscoveryInstance b = e1.register(endpoint(ns, "c", "gen"));
      try (DiscoveryWatch w = e0.listAndWatch(new DiscoveryQuery.Endpoint(ns, "c", "gen"))) {
        assertThat(next(w)).isEqualTo(new DiscoveryEvent.Added(a)); // engine-1 is not ready
        pod(pod, "uid-" + pod, Map.of("engine-0", true, "engine-1", true));
        assertThat(next(w)).isEqualTo(new DiscoveryEvent.Added(b));
        pod(pod, "uid-" + pod, Map.of("engine-0", false, "engine-1", true));
        assertThat(next(w)).isEqualTo(new DiscoveryEvent.Removed(a.id()));
      }
      assertThat(api.client.genericKubernetesResources(MockApiServer.CRD).inNamespace(NS).withName(pod + "-engine-0").get()).isNotNull();
    } finally {
      e0.shutdown();
      e1.shutdown();
    }
  }
}
