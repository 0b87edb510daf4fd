package dev.dynamo4j.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;

/**
 * fabric8's mock API server in CRUD mode (no real API server can run on these machines), with the
 * one thing it lacks for us: server-side apply, done here as "create, or replace the whole
 * object" (what an apply of the whole resource by its only field manager amounts to). It has no
 * EndpointSlice controller and no garbage collection: tests make the slices themselves.
 */
final class MockApiServer implements AutoCloseable {
  static final CustomResourceDefinitionContext CRD = new CustomResourceDefinitionContext.Builder()
      .withGroup("nvidia.com").withVersion("v1alpha1").withKind("DynamoWorkerMetadata").withPlural("dynamoworkermetadatas").withScope("Namespaced").build();

  private final KubernetesMockServer server;
  /** While set, every server-side apply is answered 500 (a write the API server fails). */
  volatile boolean failApplies;
  final NamespacedKubernetesClient client;

  MockApiServer() {
    KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher(List.of(CRD)) {
      @Override
      public MockResponse handlePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        if (type == null || !type.startsWith(MetadataWriter.APPLY_PATCH)) {
          return super.handlePatch(request);
        }
        if (failApplies) {
          return new MockResponse().setResponseCode(500).setBody("{\"kind\":\"Status\",\"message\":\"etcdserver: request timed out\"}");
        }
        String path = request.getPath().replaceFirst("\\?.*$", "");
        return handleGet(path).code() == 404 ? handleCreate(request) : handleUpdate(request);
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    server.expectCustomResource(CRD);
    // as the provider configures it: a failed request is retried once (fabric8's default is 10 times)
    try (NamespacedKubernetesClient plain = server.createClient()) {
      client = new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder(plain.getConfiguration()).withRequestRetryBackoffLimit(KubernetesDiscoveryProvider.RETRIES).build())
          .build().adapt(NamespacedKubernetesClient.class);
    }
  }

  /** An EndpointSlice of Dynamo's labelled Service listing {@code pod} (uid {@code uid}) as ready or not. */
  void slice(String namespace, String pod, String uid, boolean ready) {
    EndpointSlice s = new EndpointSliceBuilder()
        .withNewMetadata().withName("slice-" + pod).withNamespace(namespace).withLabels(KubeView.LABELS).endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("10.0.0.1").withNewConditions().withReady(ready).endConditions()
        .withNewTargetRef().withKind("Pod").withName(pod).withUid(uid).withNamespace(namespace).endTargetRef().endEndpoint()
        .build();
    client.discovery().v1().endpointSlices().inNamespace(namespace).resource(s).createOr(e -> e.update());
  }

  /** A discovery client for pod {@code pod}, whose slice says it is ready. */
  KubernetesDiscovery discovery(String namespace, String pod) {
    String uid = "uid-" + pod;
    slice(namespace, pod, uid, true);
    KubeIdentity id = KubeIdentity.of(pod, uid, namespace, KubeIdentity.Mode.POD, null);
    return new KubernetesDiscovery(client, false, id, new MetadataWriter(client.getHttpClient(), client.getMasterUrl().toString(), id, Duration.ofSeconds(10)));
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // fabric8's MockWebServer waits 10 s for its connections to end and then throws. The
      // connection that lingers is the mock's: when our client closes a watch, the mock's
      // WatchEventsListener.onClosed waits for its send executor to terminate on the Vert.x
      // event loop (the blocked-thread stack in the test's output shows it, entered from the
      // client's close frame), and Vert.x 5's server close waits for every WebSocket
      // (fabric8io/kubernetes-client#8131 review; #7857 for the listener). Our watches are closed;
      // the test's outcome is already decided, so the mock's threads are left to the JVM.
      System.err.println("mock API server: " + e.getMessage() + " (a connection lingered); going on");
    }
  }
}
