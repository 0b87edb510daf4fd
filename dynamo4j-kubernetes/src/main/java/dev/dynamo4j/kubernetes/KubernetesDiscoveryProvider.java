package dev.dynamo4j.kubernetes;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;

/**
 * {@code DYN_DISCOVERY_BACKEND=kubernetes}: the pod's identity from the Downward API (see {@link
 * KubeIdentity}) and the API server from the in-cluster service account (or {@code KUBECONFIG}
 * outside a cluster), as fabric8 finds them.
 */
public final class KubernetesDiscoveryProvider implements DiscoveryProvider {
  /** How often a failed request is retried (fabric8's default, 10 with doubling back-off, outlasts the 10 s write deadline). */
  static final int RETRIES = 1;

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public Discovery create(RuntimeConfig config) {
    KubeIdentity id = KubeIdentity.fromEnvironment(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(RETRIES).build())
        .build();
    try {
      return new KubernetesDiscovery(client, true, id, new MetadataWriter(client.getHttpClient(), client.getMasterUrl().toString(), id, Duration.ofSeconds(10)));
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }
}
