package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;

/** Scenarios with workers in other JVMs ({@link StreamingWorkerChild}), for each request plane's tests. */
public final class CrossProcessScenarios {
  private CrossProcessScenarios() {}

  /**
   * Two workers on {@code plane} found through the file store under {@code root}; a stream from
   * the first is cut by {@code kill -9}: the caller gets {@code Disconnected} within a second, and
   * its next request goes to the live worker (the dead one is inhibited before its record goes).
   */
  public static void aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(Path root, String ns, RuntimeConfig.RequestPlaneMode plane)
      throws Exception {
    String mode = plane.name().toLowerCase(Locale.ROOT);
    try (ChildJvm a = ChildJvm.start(StreamingWorkerChild.class, root.toString(), ns, "alpha", mode);
        ChildJvm b = ChildJvm.start(StreamingWorkerChild.class, root.toString(), ns, "beta", mode);
        DistributedRuntime caller = DistributedRuntime.builder()
            .config(RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root).requestPlane(plane).build()).build()) {
      long idA = Long.parseUnsignedLong(a.awaitLine("READY ", Duration.ofSeconds(60)).substring(6), 16);
      b.awaitLine("READY ", Duration.ofSeconds(60));
      Client<Integer, String> client = caller.endpoint(ns + "/worker/generate").client(String.class);
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
      long ms = (System.nanoTime() - killedAt) / 1_000_000;
      System.out.println(mode + ": kill -9 to Disconnected: " + ms + " ms");
      assertThat(ms).as("the caller learns of the death within a second").isLessThan(1000);

      assertThat(client.call(3).toList()).containsExactly("beta-0", "beta-1", "beta-2");
    }
  }
}
