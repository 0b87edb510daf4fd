package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import dev.dynamo4j.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers in other JVMs on the ZMQ request plane, found through the file store. */
@Timeout(120)
class ZmqCrossProcessTest {
  @TempDir Path root;

  @Test
  void aWorkerKilledMidStreamIsDisconnectedPromptlyAndTheNextRequestGoesToALiveOne() throws Exception {
    try (ChildJvm a = ChildJvm.start(ZmqWorkerChild.class, root.toString(), "zx", "alpha");
        ChildJvm b = ChildJvm.start(ZmqWorkerChild.class, root.toString(), "zx", "beta");
        DistributedRuntime caller = DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root)
            .requestPlane(RuntimeConfig.RequestPlaneMode.ZMQ).build()).build()) {
      long idA = Long.parseUnsignedLong(a.awaitLine("READY ", Duration.ofSeconds(60)).substring(6), 16);
      b.awaitLine("READY ", Duration.ofSeconds(60));
      Client<Integer, String> client = caller.endpoint("zx/worker/generate").client(String.class);
      client.waitUntil(l -> l.size() == 2, Duration.ofSeconds(20));

      Iterator<String> it = client.direct(Context.of(100_000), idA).iterator();
      for (int i = 0; i < 5; i++) {
        assertThat(it.next()).isEqualTo("alpha-" + i);
      }
      long killedAt = System.nanoTime();
      a.kill();
      assertThatThrownBy(() -> {
            while (it.hasNext()) {
              it.next();
            }
          })
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Disconnected));
      System.out.println("kill -9 to Disconnected: " + (System.nanoTime() - killedAt) / 1_000_000 + " ms");

      // A is inhibited after the fault, so the next request goes to B even before A's record expires
      assertThat(client.call(3).toList()).containsExactly("beta-0", "beta-1", "beta-2");
    }
  }
}
