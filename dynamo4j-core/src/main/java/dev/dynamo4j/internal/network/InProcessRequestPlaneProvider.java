package dev.dynamo4j.internal.network;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestPlaneProvider;

/** The in-process request plane; always available. */
public final class InProcessRequestPlaneProvider implements RequestPlaneProvider {
  @Override
  public String name() {
    return RuntimeConfig.IN_PROCESS;
  }

  @Override
  public RequestPlane create(RuntimeConfig config) {
    return new InProcessRequestPlane(config.tcpWorkerPoolSize(), config.tcpWorkQueueSize(), config.tcpMaxMessageSize());
  }
}
