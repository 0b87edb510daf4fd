/**
 * NATS (jnats): the request plane ({@code DYN_REQUEST_PLANE=nats}, answering over the TCP response
 * plane), the event plane ({@code DYN_EVENT_PLANE=nats}), the JetStream key-value store ({@code
 * DYN_DISCOVERY_BACKEND=nats}), work queues, the object store and service stats. The planes and the
 * store are found through their providers; {@code dev.dynamo4j.nats} is exported for the queue,
 * object store, stats and connection types the command line and applications use.
 */
module dev.dynamo4j.nats {
  requires dev.dynamo4j.core;
  requires dev.dynamo4j.tcp;
  requires io.nats.jnats;

  exports dev.dynamo4j.nats;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.nats.NatsSettings;
  provides dev.dynamo4j.spi.discovery.DiscoveryProvider with dev.dynamo4j.nats.NatsDiscoveryProvider;
  provides dev.dynamo4j.spi.events.EventTransportProvider with dev.dynamo4j.nats.NatsEventTransportProvider;
  provides dev.dynamo4j.spi.network.RequestPlaneProvider with dev.dynamo4j.nats.NatsRequestPlaneProvider;
}
