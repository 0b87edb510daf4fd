/**
 * The ZMQ planes (JeroMQ): the event plane ({@code DYN_EVENT_PLANE=zmq}, Dynamo's default; direct
 * PUB/SUB following discovery, or an XSUB/XPUB broker) and our DEALER/ROUTER request plane ({@code
 * DYN_REQUEST_PLANE=zmq}). Found through the providers; {@code dev.dynamo4j.zmq} is exported for
 * {@code ZmqBroker} and {@code ZmqEventOptions}, which the command line and tests use.
 */
module dev.dynamo4j.zmq {
  requires dev.dynamo4j.core;
  requires dev.dynamo4j.tcp;
  requires org.zeromq.jeromq;

  exports dev.dynamo4j.zmq;

  provides dev.dynamo4j.spi.config.SettingsProvider with dev.dynamo4j.zmq.ZmqSettings;
  provides dev.dynamo4j.spi.events.EventTransportProvider with dev.dynamo4j.zmq.ZmqEventTransportProvider;
  provides dev.dynamo4j.spi.network.RequestPlaneProvider with dev.dynamo4j.zmq.ZmqRequestPlaneProvider;
}
