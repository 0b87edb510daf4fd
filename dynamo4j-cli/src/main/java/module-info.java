/**
 * The {@code dynamo4j} command (picocli). It ships every plane and backend, so it requires each
 * module that provides one; its own package is opened to picocli (commands and options are read
 * reflectively) and to Jackson (the demo's request record). Run from the shaded jar on the class
 * path by the launcher; the descriptor holds what it may touch of core when it compiles: the API,
 * the SPI, and of the internals only {@code internal} ({@code Version}), {@code
 * internal.discovery} and {@code internal.kv}, which core exports to it by name.
 */
module dev.dynamo4j.cli {
  requires dev.dynamo4j.core;
  requires dev.dynamo4j.pipeline;
  requires dev.dynamo4j.tcp;
  requires dev.dynamo4j.zmq;
  requires dev.dynamo4j.nats;
  requires dev.dynamo4j.etcd;
  requires dev.dynamo4j.kubernetes;
  requires info.picocli;
  requires me.tongfei.progressbar;
  requires HdrHistogram;
  requires io.nats.jnats;
  requires org.zeromq.jeromq;
  requires java.net.http;

  opens dev.dynamo4j.cli to info.picocli, com.fasterxml.jackson.databind;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.cli.SettingsCommand.Provider;
}
