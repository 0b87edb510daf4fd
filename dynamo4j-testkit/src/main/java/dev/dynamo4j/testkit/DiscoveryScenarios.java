package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import java.time.Duration;

/** Discovery scenarios with clients in other JVMs ({@link DiscoveryChild}), for each backend's tests. */
public final class DiscoveryScenarios {
  private DiscoveryScenarios() {}

  static DiscoveryEvent awaitEvent(DiscoveryWatch w, Duration timeout) throws InterruptedException {
    DiscoveryEvent e = w.poll(timeout);
    assertThat(e).as("a discovery event within " + timeout).isNotNull();
    return e;
  }

  /**
   * A client in another JVM ({@code childStore}, see {@link DiscoveryChild}) registers an endpoint
   * in namespace {@code ns}, which {@code parent} sees; the client is killed with {@code kill -9},
   * so nothing removes its record but the backend's liveness (a TTL the owner no longer renews, an
   * expired lease): {@code parent}'s watch sees it removed, not before {@code notBefore} (the
   * record did live on for its TTL) and within {@code within}.
   */
  public static void aKilledClientsRecordGoesWhenItsLivenessRunsOut(Discovery parent, String childStore, String ns, Duration notBefore, Duration within)
      throws Exception {
    try (DiscoveryWatch w = parent.listAndWatch(new DiscoveryQuery.Endpoint(ns, "worker", "generate"));
        ChildJvm child = ChildJvm.start(DiscoveryChild.class, "register", childStore, ns, "worker", "generate")) {
      String id = child.awaitLine("READY ", Duration.ofSeconds(30)).substring(6);
      DiscoveryEvent added = awaitEvent(w, Duration.ofSeconds(10));
      assertThat(added).isInstanceOf(DiscoveryEvent.Added.class);
      assertThat(Long.toHexString(((DiscoveryEvent.Added) added).instance().id().instanceId())).isEqualTo(id);

      long killedAt = System.nanoTime();
      child.kill();
      DiscoveryEvent removed = awaitEvent(w, within);
      Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
      assertThat(removed).isInstanceOf(DiscoveryEvent.Removed.class);
      assertThat(Long.toHexString(((DiscoveryEvent.Removed) removed).id().instanceId())).isEqualTo(id);
      System.out.println(childStore.substring(0, Math.max(0, childStore.indexOf(':'))) + ": kill -9 to Removed: " + took.toMillis() + " ms");
      assertThat(took).as("the record lived on until its liveness ran out").isGreaterThanOrEqualTo(notBefore);
    }
  }
}
