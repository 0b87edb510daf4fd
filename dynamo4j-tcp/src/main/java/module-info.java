/**
 * The TCP request plane (Dynamo's default): one shared server per process, a pooled client, the
 * call-home response plane and our multiplexed response path, TLS. Plugs in as {@code
 * DYN_REQUEST_PLANE=tcp}, found through its provider. Its package is exported only to the
 * planes that answer over its response plane ({@code TcpCallHome}): ZMQ and NATS.
 */
module dev.dynamo4j.tcp {
  requires dev.dynamo4j.core;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;

  exports dev.dynamo4j.tcp to dev.dynamo4j.zmq, dev.dynamo4j.nats;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.tcp.TcpSettings;
  provides dev.dynamo4j.spi.network.RequestPlaneProvider with dev.dynamo4j.tcp.TcpRequestPlaneProvider;
}
