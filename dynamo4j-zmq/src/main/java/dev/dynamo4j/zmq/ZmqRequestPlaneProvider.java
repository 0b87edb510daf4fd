package dev.dynamo4j.zmq;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestPlaneProvider;

/** {@code DYN_REQUEST_PLANE=zmq} (ours): see {@link ZmqRequestPlane}. */
public final class ZmqRequestPlaneProvider implements RequestPlaneProvider {
  @Override
  public String name() {
    return "zmq";
  }

  @Override
  public RequestPlane create(RuntimeConfig config) {
    return new ZmqRequestPlane(config);
  }
}
