package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.FileKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Separate JVMs sharing one file-store root, as processes on one machine do. */
@Timeout(120)
class FileDiscoveryMultiProcessTest {
  @TempDir Path root;

  static DiscoveryEvent awaitEvent(DiscoveryWatch w, Duration timeout) throws InterruptedException {
    return DiscoveryScenarios.awaitEvent(w, timeout);
  }

  @Test
  void aKilledProcessDisappearsAfterTheTtlAndOneSweep() throws Exception {
    try (KvStoreDiscovery parent = new KvStoreDiscovery(new FileKeyValueStore(root))) {
      DiscoveryScenarios.aKilledClientsRecordGoesWhenItsLivenessRunsOut(parent, "file:" + root, "crash", Duration.ofSeconds(9), Duration.ofSeconds(25));
    }
  }

  @Test
  void aCleanShutdownRemovesTheRecordsAtOnce() throws Exception {
    try (KvStoreDiscovery parent = new KvStoreDiscovery(new FileKeyValueStore(root));
        DiscoveryWatch w = parent.listAndWatch(new DiscoveryQuery.NamespacedEndpoints("clean"));
        ChildJvm child = ChildJvm.start(DiscoveryChild.class, "register", root.toString(), "clean", "worker", "generate")) {
      child.awaitLine("READY ", Duration.ofSeconds(30));
      assertThat(awaitEvent(w, Duration.ofSeconds(10))).isInstanceOf(DiscoveryEvent.Added.class);
      child.send("exit");
      child.awaitLine("BYE", Duration.ofSeconds(10));
      assertThat(awaitEvent(w, Duration.ofSeconds(3))).isInstanceOf(DiscoveryEvent.Removed.class);
      assertThat(child.awaitExit(Duration.ofSeconds(10))).isZero();
    }
  }

  @Test
  void watchersEndWithExactlyTheLiveSetUnderLoadFromTwoProcesses() throws Exception {
    int perChild = 5000;
    try (KvStoreDiscovery parentA = new KvStoreDiscovery(new FileKeyValueStore(root));
        KvStoreDiscovery parentB = new KvStoreDiscovery(new FileKeyValueStore(root));
        DiscoveryWatch wa = parentA.listAndWatch(new DiscoveryQuery.NamespacedEndpoints("load"));
        DiscoveryWatch wb = parentB.listAndWatch(new DiscoveryQuery.AllEndpoints())) {
      ChildJvm c1 = ChildJvm.start(DiscoveryChild.class, "churn", root.toString(), "load", Integer.toString(perChild));
      ChildJvm c2 = ChildJvm.start(DiscoveryChild.class, "churn", root.toString(), "load", Integer.toString(perChild));
      try (c1; c2) {
        Set<String> expected = new HashSet<>();
        for (ChildJvm c : List.of(c1, c2)) {
          String id = c.awaitLine("DONE ", Duration.ofSeconds(90)).substring(5);
          for (int i = 0; i < perChild; i += 2) {
            expected.add("load/c/ep" + i + "/" + id);
          }
        }
        assertThat(expected).hasSize(perChild);
        for (DiscoveryWatch w : List.of(wa, wb)) {
          Map<String, List<String>> history = new HashMap<>();
          Set<String> live = new HashSet<>();
          while (!live.equals(expected)) {
            DiscoveryEvent e = w.poll(Duration.ofSeconds(30));
            assertThat(e).as("watcher converges on the live set (has " + live.size() + ")").isNotNull();
            String key;
            if (e instanceof DiscoveryEvent.Added a) {
              key = a.instance().id().toPath();
              live.add(key);
              history.computeIfAbsent(key, k -> new ArrayList<>()).add("A");
            } else {
              key = ((DiscoveryEvent.Removed) e).id().toPath();
              assertThat(live.remove(key)).as("Removed only after Added: " + key).isTrue();
              history.computeIfAbsent(key, k -> new ArrayList<>()).add("R");
            }
          }
          for (Map.Entry<String, List<String>> h : history.entrySet()) {
            List<String> seq = h.getValue();
            for (int i = 0; i < seq.size(); i++) {
              assertThat(seq.get(i)).as("events of " + h.getKey() + " alternate Added/Removed").isEqualTo(i % 2 == 0 ? "A" : "R");
            }
            assertThat(seq.get(seq.size() - 1).equals("A")).isEqualTo(expected.contains(h.getKey()));
          }
          assertThat(w.poll(Duration.ofMillis(300))).as("nothing after convergence").isNull();
        }
        assertThat(parentA.list(new DiscoveryQuery.NamespacedEndpoints("load")).stream()
            .map(i -> ((DiscoveryInstance.Endpoint) i).id().toPath()).toList()).containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  static String path(DiscoveryInstanceId id) {
    return id.toPath();
  }
}
