package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamo's identity rules: Downward API files first, then the variables, and its error texts. */
class KubeIdentityTest {
  @TempDir Path podinfo;

  @Test
  void theDownwardApiFilesWinOverTheVariables() throws Exception {
    Files.writeString(podinfo.resolve("pod_name"), "worker-0\n");
    Files.writeString(podinfo.resolve("pod_uid"), " 1234-abcd ");
    Files.writeString(podinfo.resolve("pod_namespace"), "dynamo");
    KubeIdentity id = KubeIdentity.fromEnvironment(Map.of("POD_NAME", "other", "POD_UID", "x", "POD_NAMESPACE", "elsewhere"), podinfo);
    assertThat(id.podName()).isEqualTo("worker-0");
    assertThat(id.podUid()).isEqualTo("1234-abcd");
    assertThat(id.namespace()).isEqualTo("dynamo");
    assertThat(id.crName()).isEqualTo("worker-0");
    assertThat(id.mode()).isEqualTo(KubeIdentity.Mode.POD);
  }

  @Test
  void anEmptyFileFallsBackToTheVariableAndTheNamespaceDefaults() throws Exception {
    Files.writeString(podinfo.resolve("pod_name"), "  ");
    KubeIdentity id = KubeIdentity.fromEnvironment(Map.of("POD_NAME", "w", "POD_UID", "u"), podinfo);
    assertThat(id.podName()).isEqualTo("w");
    assertThat(id.namespace()).isEqualTo("default");
  }

  @Test
  void missingIdentityAndBadModesAreRefusedWithDynamosTexts() {
    assertThatThrownBy(() -> KubeIdentity.fromEnvironment(Map.of("POD_UID", "u"), podinfo))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessage("POD_NAME not available from file or environment");
    assertThatThrownBy(() -> KubeIdentity.fromEnvironment(Map.of("POD_NAME", "w"), podinfo))
        .hasMessage("POD_UID not available from file or environment");
    assertThatThrownBy(() -> KubeIdentity.fromEnvironment(Map.of("POD_NAME", "w", "POD_UID", "u", "DYN_KUBE_DISCOVERY_MODE", "container"), podinfo))
        .hasMessage("CONTAINER_NAME is required when DYN_KUBE_DISCOVERY_MODE=container");
    assertThatThrownBy(() -> KubeIdentity.fromEnvironment(Map.of("POD_NAME", "w", "POD_UID", "u", "DYN_KUBE_DISCOVERY_MODE", "node"), podinfo))
        .hasMessage("Invalid DYN_KUBE_DISCOVERY_MODE value 'node'. Valid values: 'pod', 'container'");
  }

  @Test
  void containerModeNamesEachContainerExceptMain() {
    Map<String, String> env = Map.of("POD_NAME", "worker-0", "POD_UID", "u", "DYN_KUBE_DISCOVERY_MODE", "container", "CONTAINER_NAME", "engine-0");
    assertThat(KubeIdentity.fromEnvironment(env, podinfo).crName()).isEqualTo("worker-0-engine-0");
    Map<String, String> main = Map.of("POD_NAME", "worker-0", "POD_UID", "u", "DYN_KUBE_DISCOVERY_MODE", "CONTAINER", "CONTAINER_NAME", "main");
    KubeIdentity m = KubeIdentity.fromEnvironment(main, podinfo);
    assertThat(m.crName()).isEqualTo("worker-0");
    assertThat(m.instanceId()).isEqualTo(KubeIdentity.of("worker-0", "u", "default", KubeIdentity.Mode.POD, null).instanceId());
  }
}
