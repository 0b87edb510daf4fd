package dev.dynamo4j.discovery;

import dev.dynamo4j.runtime.Instance;
import dev.dynamo4j.runtime.TransportType;
import dev.dynamo4j.wire.PayloadCodec;

/** What to register; the backend adds the instance id. */
public sealed interface DiscoverySpec {
  /** Turns this spec into the record stored, with the discovery client's instance id. */
  DiscoveryInstance toInstance(long instanceId);

  record Endpoint(
      String namespace, String component, String endpoint, TransportType transport, String deviceType, PayloadCodec requestPlaneCodec)
      implements DiscoverySpec {
    public DiscoveryInstance toInstance(long instanceId) {
      return new DiscoveryInstance.Endpoint(
          new Instance(namespace, component, endpoint, instanceId, transport, deviceType, requestPlaneCodec));
    }
  }
}
