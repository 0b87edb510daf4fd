package dev.dynamo4j.zmq;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The ZMQ request plane with {@code DYN_ZMQ_RESPONSE_PATH=zmq}: requests and their response (and
 * request) streams over the same ZMQ sockets ({@link ZmqResponsePlane}), held to the whole shared
 * suite.
 */
class ZmqOwnResponsePathTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder()
        .config(tweak.apply(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("zmq").variable("DYN_ZMQ_RESPONSE_PATH", "zmq")).build())
        .build();
  }

  /**
   * The drain, many times over: a closing worker's ROUTER waits until its callers confirm they
   * read its last messages. Closing at once lost a drained stream's last frames one time in eight
   * (JeroMQ drops what a DEALER has not read when its connection ends).
   */
  @RepeatedTest(10)
  void aDrainedStreamsLastMessagesReachTheCallerEveryTime() throws Exception {
    closingTheWorkerLeavesDiscoveryThenDrainsTheStreamInFlight();
  }
}
