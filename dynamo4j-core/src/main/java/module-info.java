/**
 * dynamo4j's core: the runtime model and what every transport and backend plugs into.
 *
 * <p>Three kinds of package. What a component's author uses is exported to everyone: {@code
 * runtime}, {@code engine}, {@code error}, {@code config} ({@code RuntimeConfig}), {@code
 * discovery} (the records of what is served), {@code events} (publish, subscribe), {@code network}
 * ({@code RouterMode}, {@code IngressMetrics}), {@code metrics} and {@code status}. What a plug-in
 * implements or reads is exported to everyone too, for third-party plug-ins: {@code spi.*} and the
 * wire formats in {@code wire}. Core's machinery lives in {@code internal.*}, exported only to
 * dynamo4j's own modules, which build on it (grpc-java's {@code io.grpc} / {@code io.grpc.internal}
 * split). The pipeline nodes are a module of their own, {@code dev.dynamo4j.pipeline}, on top of
 * {@code engine}. The module system checks this when each module's main code compiles; the tests
 * and the shaded command-line jar run on the class path.
 */
module dev.dynamo4j.core {
  requires transitive com.fasterxml.jackson.databind;
  requires transitive io.prometheus.metrics.model;
  requires transitive org.slf4j;
  requires io.prometheus.writer.text;
  requires jackson.dataformat.msgpack;
  requires jdk.httpserver;

  exports dev.dynamo4j.config;
  exports dev.dynamo4j.discovery;
  exports dev.dynamo4j.engine;
  exports dev.dynamo4j.error;
  exports dev.dynamo4j.events;
  exports dev.dynamo4j.metrics;
  exports dev.dynamo4j.network;
  exports dev.dynamo4j.runtime;
  exports dev.dynamo4j.status;

  exports dev.dynamo4j.spi.config;
  exports dev.dynamo4j.spi.discovery;
  exports dev.dynamo4j.spi.events;
  exports dev.dynamo4j.spi.kv;
  exports dev.dynamo4j.spi.network;
  exports dev.dynamo4j.wire;

  exports dev.dynamo4j.internal to dev.dynamo4j.nats, dev.dynamo4j.cli;
  exports dev.dynamo4j.internal.discovery to dev.dynamo4j.zmq, dev.dynamo4j.nats, dev.dynamo4j.etcd, dev.dynamo4j.kubernetes, dev.dynamo4j.testkit, dev.dynamo4j.cli;
  exports dev.dynamo4j.internal.engine to dev.dynamo4j.tcp;
  exports dev.dynamo4j.internal.events to dev.dynamo4j.testkit;
  exports dev.dynamo4j.internal.kv to dev.dynamo4j.zmq, dev.dynamo4j.nats, dev.dynamo4j.etcd, dev.dynamo4j.testkit, dev.dynamo4j.cli;
  exports dev.dynamo4j.internal.network to dev.dynamo4j.tcp, dev.dynamo4j.zmq, dev.dynamo4j.nats, dev.dynamo4j.testkit;
  exports dev.dynamo4j.internal.tls to dev.dynamo4j.tcp, dev.dynamo4j.nats, dev.dynamo4j.testkit;

  opens dev.dynamo4j.wire to com.fasterxml.jackson.databind;
  opens dev.dynamo4j.spi.discovery to com.fasterxml.jackson.databind;

  uses dev.dynamo4j.spi.config.SettingsProvider;
  uses dev.dynamo4j.spi.discovery.DiscoveryProvider;
  uses dev.dynamo4j.spi.events.EventTransportProvider;
  uses dev.dynamo4j.spi.network.RequestPlaneProvider;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.internal.config.RuntimeSettings.Provider, dev.dynamo4j.internal.kv.KvSettings;
  provides dev.dynamo4j.spi.discovery.DiscoveryProvider with dev.dynamo4j.internal.discovery.MemoryDiscoveryProvider,
      dev.dynamo4j.internal.discovery.FileDiscoveryProvider;
  provides dev.dynamo4j.spi.events.EventTransportProvider with dev.dynamo4j.internal.events.InProcessEventTransportProvider;
  provides dev.dynamo4j.spi.network.RequestPlaneProvider with dev.dynamo4j.internal.network.InProcessRequestPlaneProvider;
}
