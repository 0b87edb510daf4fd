package dev.dynamo4j.kubernetes;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.List;
import java.util.Map;

/**
 * The variables the Kubernetes discovery reads, declared once each. The pod's name, namespace
 * and UID come from the downward-API files under {@code /etc/podinfo} first, these variables
 * second, as in Dynamo.
 */
public final class KubeSettings implements SettingsProvider {
  private static final Setting.Declarer KUBE = Setting.in("dynamo4j-kubernetes");
  static final Setting<String> POD_NAME = KUBE.text("POD_NAME", null, "This pod's name (if /etc/podinfo/pod_name is missing); required.");
  static final Setting<String> POD_NAMESPACE = KUBE.text("POD_NAMESPACE", null, "This pod's namespace (if /etc/podinfo/pod_namespace is missing); default 'default' with a warning.");
  static final Setting<String> POD_UID = KUBE.text("POD_UID", null, "This pod's UID (if /etc/podinfo/pod_uid is missing); required.");
  static final Setting<String> DISCOVERY_MODE = KUBE.text("DYN_KUBE_DISCOVERY_MODE", "pod",
      "pod (one DynamoWorkerMetadata per pod) or container (one per container, named <pod>-<container> unless the container is 'main').");
  static final Setting<String> CONTAINER_NAME = KUBE.text("CONTAINER_NAME", null, "This container's name; required when DYN_KUBE_DISCOVERY_MODE=container.");

  /** The names this module's providers answer to. */
  @Override
  public Map<String, List<String>> choices() {
    return Map.of(Settings.DISCOVERY_BACKEND_VARIABLE, List.of("kubernetes"));
  }

  @Override
  public List<Setting<?>> settings() {
    return List.of(POD_NAME, POD_NAMESPACE, POD_UID, DISCOVERY_MODE, CONTAINER_NAME);
  }
}
