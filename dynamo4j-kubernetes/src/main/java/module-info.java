/**
 * Kubernetes as a discovery backend ({@code DYN_DISCOVERY_BACKEND=kubernetes}), on fabric8's
 * client. Found through the providers; {@code dev.dynamo4j.kubernetes} is exported for {@code
 * KubeIdentity}, {@code RustHash} and {@code DiscoveryMetadata}, which tests and tools use.
 * fabric8 8.0.0 declares no module names for its client and model jars: they are required by the
 * names the module system derives from the jar files (no package is split between them).
 */
module dev.dynamo4j.kubernetes {
  requires dev.dynamo4j.core;
  requires kubernetes.client.api;
  requires kubernetes.model.core;
  requires kubernetes.model.common;
  requires kubernetes.model.discovery;

  exports dev.dynamo4j.kubernetes;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.kubernetes.KubeSettings;
  provides dev.dynamo4j.spi.discovery.DiscoveryProvider with dev.dynamo4j.kubernetes.KubernetesDiscoveryProvider;
}
