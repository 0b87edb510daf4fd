package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.testkit.CrossProcessScenarios;
import dev.dynamo4j.testkit.NatsServerExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Workers and callers in other JVMs on the NATS request plane (a real nats-server), found through the file store. */
@Timeout(120)
class NatsCrossProcessTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();
  @TempDir Path root;

  @Test
  void aWorkerKilledMidStreamIsDisconnectedWithinASecondAndTheNextRequestGoesToALiveOne() throws Exception {
    CrossProcessScenarios.aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(root, "nx", "nats", "tcp", server.url());
  }

  @Test
  void aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream() throws Exception {
    CrossProcessScenarios.aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(root, "nc", "nats", "tcp", server.url());
  }
}
