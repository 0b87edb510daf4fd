package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A client whose discovery watch ends keeps its instances and watches again (issue 15). */
@Timeout(60)
class ClientRewatchTest {
  @TempDir Path root;

  @Test
  void aClientKeepsCallingWhileItsWatchIsGoneAndSeesChangesAfterItCameBack() throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root).requestPlane(RuntimeConfig.RequestPlaneMode.IN_PROCESS).build();
    try (DistributedRuntime rt = DistributedRuntime.builder().config(cfg).build()) {
      rt.namespace("ns").component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok " + req.value())));
      Client<String, String> client = rt.namespace("ns").component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));

      // The bucket directory goes away (an operator's rm -rf): the file store ends its watch.
      Path bucket = root.resolve("v1").resolve("instances");
      try (Stream<Path> all = Files.walk(bucket)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      // calls go on with the instances the client knew
      assertThat(client.call("a").toList()).containsExactly("ok a");
      // the client watches again once the directory is back (the worker's sweeper writes its record again)
      await().atMost(Duration.ofSeconds(30)).until(() -> client.rewatches() > 0 && client.instances().size() == 1);
      assertThat(client.call("b").toList()).containsExactly("ok b");

      // and it sees later changes: a second worker appears
      try (DistributedRuntime second = DistributedRuntime.builder().config(cfg).build()) {
        second.namespace("ns").component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("two")));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.instances().size() == 2);
      }
    }
  }
}
