package dev.dynamo4j.spi.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.wire.PayloadCodec;

/**
 * What to register. Endpoint and model records take the discovery client's instance id; event
 * records take their publisher id, because a process may own several publishers of one topic.
 */
public sealed interface DiscoverySpec {
  DiscoveryInstance toInstance(long instanceId);

  record Endpoint(
      String namespace, String component, String endpoint, TransportType transport, String deviceType, PayloadCodec requestPlaneCodec)
      implements DiscoverySpec {
    public DiscoveryInstance toInstance(long instanceId) {
      return new DiscoveryInstance.Endpoint(new Instance(namespace, component, endpoint, instanceId, transport, deviceType, requestPlaneCodec));
    }
  }

  /** A model card; {@code modelSuffix} (LoRA adapters) may be {@code null}. */
  record Model(String namespace, String component, String endpoint, JsonNode cardJson, String modelSuffix) implements DiscoverySpec {
    public DiscoveryInstance toInstance(long instanceId) {
      return new DiscoveryInstance.Model(namespace, component, endpoint, instanceId, cardJson, modelSuffix);
    }
  }

  record EventChannel(EventScope scope, String topic, long publisherId, EventChannelTransport transport) implements DiscoverySpec {
    public DiscoveryInstance toInstance(long ignored) {
      return new DiscoveryInstance.EventChannel(scope, topic, publisherId, transport);
    }
  }

  record EventSource(EventScope scope, String topic, long publisherId, JsonNode metadata) implements DiscoverySpec {
    public DiscoveryInstance toInstance(long ignored) {
      return new DiscoveryInstance.EventSource(scope, topic, publisherId, metadata);
    }
  }
}
