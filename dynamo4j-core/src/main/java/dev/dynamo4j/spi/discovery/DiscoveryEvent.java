package dev.dynamo4j.spi.discovery;

/** A change seen by a watch. {@code Added} with an id already known replaces the earlier record. */
public sealed interface DiscoveryEvent {
  record Added(DiscoveryInstance instance) implements DiscoveryEvent {}

  record Removed(DiscoveryInstanceId id) implements DiscoveryEvent {}
}
