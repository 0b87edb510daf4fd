package dev.dynamo4j.zmq;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.testkit.CrossProcessScenarios;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers in other JVMs on the ZMQ request plane, found through the file store. */
@Timeout(120)
class ZmqCrossProcessTest {
  @TempDir Path root;

  @Test
  void aWorkerKilledMidStreamIsDisconnectedWithinASecondAndTheNextRequestGoesToALiveOne() throws Exception {
    CrossProcessScenarios.aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(root, "zx", "zmq");
  }

  @Test
  void aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream() throws Exception {
    CrossProcessScenarios.aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(root, "zc", "zmq");
  }

  @Test
  void onItsOwnResponsePathAWorkerKilledMidStreamIsDisconnectedWithinASecond() throws Exception {
    CrossProcessScenarios.aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(root, "zz", "zmq", "zmq");
  }

  @Test
  void onItsOwnResponsePathACallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream() throws Exception {
    CrossProcessScenarios.aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(root, "zy", "zmq", "zmq");
  }
}
