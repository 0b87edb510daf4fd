package dev.dynamo4j.zmq;

import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.util.function.UnaryOperator;

/**
 * The ZMQ request plane with {@code DYN_ZMQ_RESPONSE_PATH=zmq}: requests and their response (and
 * request) streams over the same ZMQ sockets ({@link ZmqResponsePlane}), held to the whole shared
 * suite.
 */
class ZmqOwnResponsePathTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder()
        .config(tweak.apply(RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.RequestPlaneMode.ZMQ).zmqResponsePath("zmq")).build())
        .build();
  }
}
