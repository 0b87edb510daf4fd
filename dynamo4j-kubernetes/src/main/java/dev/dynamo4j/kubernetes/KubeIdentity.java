package dev.dynamo4j.kubernetes;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who this process is on Kubernetes, as Dynamo's {@code kube/utils.rs} works it out: the pod's
 * name, uid and namespace from the Downward API files {@code /etc/podinfo/pod_name}, {@code
 * pod_uid}, {@code pod_namespace} (trimmed, when present and not empty), else the variables {@code
 * POD_NAME}, {@code POD_UID} (both required) and {@code POD_NAMESPACE} (default {@code default}, with
 * a warning). {@code DYN_KUBE_DISCOVERY_MODE} is {@code pod} (default) or {@code container} (then
 * {@code CONTAINER_NAME} is required and each container is its own instance).
 *
 * @param crName the name of this process's {@code DynamoWorkerMetadata}: the pod name; in
 *     container mode {@code <pod>-<container>}, except that a container named {@code main} uses
 *     the pod name
 */
record KubeIdentity(String podName, String podUid, String namespace, Mode mode, String containerName, String crName) {
  private static final Logger log = LoggerFactory.getLogger(KubeIdentity.class);
  static final Path PODINFO = Path.of("/etc/podinfo");

  enum Mode { POD, CONTAINER }

  /** Dynamo's instance id: the 53-bit {@link RustHash} of the resource name. */
  long instanceId() {
    return RustHash.hashStr(crName) & RustHash.JSON_SAFE_MASK;
  }

  static KubeIdentity fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, PODINFO);
  }

  /**
   * @throws DynamoException {@code InvalidArgument} with Dynamo's texts: {@code POD_NAME not
   *     available from file or environment}, {@code POD_UID not available from file or
   *     environment}, {@code CONTAINER_NAME is required when DYN_KUBE_DISCOVERY_MODE=container},
   *     {@code Invalid DYN_KUBE_DISCOVERY_MODE value '<v>'. Valid values: 'pod', 'container'}
   */
  static KubeIdentity fromEnvironment(Map<String, String> env, Path podinfo) {
    String name = fileOrEnv(podinfo.resolve("pod_name"), env, KubeSettings.POD_NAME);
    if (name == null) {
      throw invalid("POD_NAME not available from file or environment");
    }
    String uid = fileOrEnv(podinfo.resolve("pod_uid"), env, KubeSettings.POD_UID);
    if (uid == null) {
      throw invalid("POD_UID not available from file or environment");
    }
    String ns = fileOrEnv(podinfo.resolve("pod_namespace"), env, KubeSettings.POD_NAMESPACE);
    if (ns == null) {
      log.warn("POD_NAMESPACE not available from file or environment; using 'default'");
      ns = "default";
    }
    String modeValue = KubeSettings.DISCOVERY_MODE.read(env, null);
    Mode mode;
    if (modeValue == null || modeValue.isBlank() || modeValue.trim().toLowerCase(Locale.ROOT).equals("pod")) {
      mode = Mode.POD;
    } else if (modeValue.trim().toLowerCase(Locale.ROOT).equals("container")) {
      mode = Mode.CONTAINER;
    } else {
      throw invalid("Invalid DYN_KUBE_DISCOVERY_MODE value '" + modeValue + "'. Valid values: 'pod', 'container'");
    }
    String container = null;
    if (mode == Mode.CONTAINER) {
      container = KubeSettings.CONTAINER_NAME.read(env);
      if (container == null || container.isBlank()) {
        throw invalid("CONTAINER_NAME is required when DYN_KUBE_DISCOVERY_MODE=container");
      }
      container = container.trim();
    }
    return of(name, uid, ns, mode, container);
  }

  static KubeIdentity of(String podName, String podUid, String namespace, Mode mode, String containerName) {
    String cr = mode == Mode.CONTAINER && !"main".equals(containerName) ? podName + "-" + containerName : podName;
    return new KubeIdentity(podName, podUid, namespace, mode, containerName, cr);
  }

  private static String fileOrEnv(Path file, Map<String, String> env, Setting<String> variable) {
    try {
      if (Files.isRegularFile(file)) {
        String v = Files.readString(file).trim();
        if (!v.isEmpty()) {
          return v;
        }
      }
    } catch (IOException e) {
      log.debug("cannot read {}: {}", file, e.toString());
    }
    return variable.read(env);
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
