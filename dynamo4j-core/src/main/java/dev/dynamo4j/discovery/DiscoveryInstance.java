package dev.dynamo4j.discovery;

import dev.dynamo4j.runtime.Instance;

/** A registered record. JSON is internally tagged by {@code type}. */
public sealed interface DiscoveryInstance {
  DiscoveryInstanceId id();

  /** The record as stored: JSON with its {@code type} tag. */
  byte[] toJson();

  /** An endpoint instance: {@code {"type":"Endpoint", ...}}. */
  record Endpoint(Instance instance) implements DiscoveryInstance {
    public DiscoveryInstanceId id() {
      return new DiscoveryInstanceId.Endpoint(instance.namespace(), instance.component(), instance.endpoint(), instance.instanceId());
    }

    public byte[] toJson() {
      return instance.toDiscoveryJson();
    }
  }
}
