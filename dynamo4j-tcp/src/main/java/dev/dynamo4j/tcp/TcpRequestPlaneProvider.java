package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestPlaneProvider;

/** Provides the TCP request plane for {@code DYN_REQUEST_PLANE=tcp} (the default). */
public final class TcpRequestPlaneProvider implements RequestPlaneProvider {
  @Override
  public String name() {
    return "tcp";
  }

  @Override
  public RequestPlane create(RuntimeConfig config) {
    return new TcpRequestPlane(config);
  }
}
