package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestPlaneProvider;

/** {@code DYN_REQUEST_PLANE=nats}, connected with {@code NATS_*}. */
public final class NatsRequestPlaneProvider implements RequestPlaneProvider {
  @Override
  public String name() {
    return "nats";
  }

  @Override
  public RequestPlane create(RuntimeConfig config) {
    return new NatsRequestPlane(NatsConnections.connect(NatsConfig.forRuntime(config)), true, config);
  }
}
