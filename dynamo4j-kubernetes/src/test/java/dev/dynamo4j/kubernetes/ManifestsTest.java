package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The manifests in deploy/kubernetes parse as Kubernetes objects and say what the code expects of them. */
class ManifestsTest {
  static final Path DIR = Path.of("..", "deploy", "kubernetes");
  KubernetesClient client;

  @BeforeEach
  void client() {
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").build()).build(); // never contacted
  }

  @AfterEach
  void close() {
    client.close();
  }

  List<HasMetadata> load(String file) throws Exception {
    try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
      return client.load(in).items();
    }
  }

  @Test
  void theCrdIsDynamosDynamoWorkerMetadata() throws Exception {
    CustomResourceDefinition crd = (CustomResourceDefinition) load("crd.yaml").get(0);
    assertThat(crd.getMetadata().getName()).isEqualTo("dynamoworkermetadatas.nvidia.com");
    assertThat(crd.getSpec().getGroup()).isEqualTo("nvidia.com");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo(MetadataWriter.KIND);
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(MetadataWriter.PLURAL);
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("dwm");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getServed()).isTrue();
    assertThat(version.getStorage()).isTrue();
    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getRequired()).containsExactly("data");
    assertThat(spec.getProperties().get("data").getXKubernetesPreserveUnknownFields()).isTrue();
  }

  @Test
  void theRoleAllowsWhatDiscoveryDoesAndTheServiceCarriesTheLabels() throws Exception {
    List<HasMetadata> rbac = load("rbac.yaml");
    assertThat(rbac).hasSize(3);
    assertThat(rbac.get(0)).isInstanceOf(ServiceAccount.class);
    Role role = (Role) rbac.get(1);
    assertThat(role.getRules()).anySatisfy(r -> {
      assertThat(r.getApiGroups()).containsExactly("nvidia.com");
      assertThat(r.getResources()).containsExactly(MetadataWriter.PLURAL);
      assertThat(r.getVerbs()).contains("get", "list", "watch", "patch", "delete");
    });
    assertThat(role.getRules()).anySatisfy(r -> {
      assertThat(r.getApiGroups()).containsExactly("discovery.k8s.io");
      assertThat(r.getVerbs()).contains("list", "watch");
    });
    RoleBinding binding = (RoleBinding) rbac.get(2);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getName()).isEqualTo(rbac.get(0).getMetadata().getName());

    Service svc = (Service) load("service.yaml").get(0);
    assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(KubeView.LABELS);
  }

  @Test
  void theWorkerWiresThePodIdentityAndProbesTheStatusServer() throws Exception {
    Deployment d = (Deployment) load("worker.yaml").get(0);
    var pod = d.getSpec().getTemplate().getSpec();
    var c = pod.getContainers().get(0);
    assertThat(c.getName()).isEqualTo("main"); // container mode would name it as the pod
    assertThat(c.getArgs()).containsSubsequence("serve", "dynamo/backend/generate").contains("--system-port", "9090");
    assertThat(c.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("DYN_DISCOVERY_BACKEND");
      assertThat(e.getValue()).isEqualTo("kubernetes");
    });
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/live");
    var podinfo = pod.getVolumes().stream().filter(v -> v.getDownwardAPI() != null).findFirst().orElseThrow();
    assertThat(podinfo.getDownwardAPI().getItems()).extracting(i -> i.getPath()).containsExactlyInAnyOrder("pod_name", "pod_uid", "pod_namespace");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(KubeIdentity.PODINFO.toString()));
    assertThat(pod.getServiceAccountName()).isEqualTo("dynamo4j");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(((Service) load("service.yaml").get(0)).getSpec().getSelector());
  }
}
