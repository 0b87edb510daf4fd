package dev.dynamo4j.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.testkit.EtcdServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker on etcd discovery and the TCP request plane survives etcd being away longer than its
 * lease (beyond Dynamo, which shuts the process down), or shuts down under the shutdown policy.
 */
@Timeout(120)
class EtcdRuntimeLeaseTest {
  EtcdServer etcd;

  @BeforeEach
  void startEtcd() throws Exception {
    etcd = EtcdServer.start();
  }

  @AfterEach
  void stopEtcd() throws Exception {
    etcd.close();
  }

  DistributedRuntime runtime(Duration ttl, EtcdKeyValueStore.LeaseLossPolicy policy) {
    EtcdKeyValueStore store = EtcdKeyValueStore.connect(EtcdConfig.builder(Map.of()).endpoints(etcd.endpoint()).build(), ttl, policy);
    return DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("etcd").build()).discovery(new KvStoreDiscovery(store)).build();
  }

  static ServedEndpoint serve(DistributedRuntime rt) {
    return rt.namespace("lease").component("worker").endpoint("generate")
        .serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok " + req.value())));
  }

  @Test
  void aWorkerWhoseLeaseExpiredWhileEtcdWasDownIsDiscoverableAgainUnderANewIdAndCallersReachIt() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    try (DistributedRuntime worker = runtime(Duration.ofSeconds(2), EtcdKeyValueStore.LeaseLossPolicy.RENEW);
        DistributedRuntime caller = runtime(Duration.ofSeconds(30), EtcdKeyValueStore.LeaseLossPolicy.RENEW)) {
      worker.addInstanceListener(new DistributedRuntime.InstanceListener() {
        @Override
        public void instanceIdChanged(long oldId, long newId) {
          events.add(Long.toHexString(oldId) + " -> " + Long.toHexString(newId));
        }
      });
      ServedEndpoint served = serve(worker);
      long first = worker.instanceId();
      Client<String, String> client = caller.namespace("lease").component("worker").endpoint("generate").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));
      assertThat(client.call("a").toList()).containsExactly("ok a");

      List<Long> lostLeases = new CopyOnWriteArrayList<>();
      ((EtcdKeyValueStore) ((KvStoreDiscovery) worker.discovery()).store()).addLeaseListener(new EtcdKeyValueStore.LeaseListener() {
        @Override
        public void leaseLost(long id) {
          lostLeases.add(id);
        }
      });
      etcd.kill();
      // away until the worker's 2 s lease has run out on its side
      await().atMost(Duration.ofSeconds(15)).until(() -> lostLeases.contains(first));
      etcd.restart();

      await().atMost(Duration.ofSeconds(30)).until(() -> events.size() == 1);
      long second = worker.instanceId();
      assertThat(second).isNotEqualTo(first);
      assertThat(events).containsExactly(Long.toHexString(first) + " -> " + Long.toHexString(second));
      assertThat(worker.instanceIdChanges()).isEqualTo(1);
      assertThat(served.instance().instanceId()).isEqualTo(second);
      assertThat(served.routingKey()).startsWith(Long.toHexString(second) + "/");

      // discovery shows the new instance only, and callers reach it
      await().atMost(Duration.ofSeconds(10)).until(() -> caller.discovery().list(new DiscoveryQuery.Endpoint("lease", "worker", "generate")).stream()
          .map(i -> ((DiscoveryInstance.Endpoint) i).instance().instanceId()).toList().equals(List.of(second)));
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> client.direct(Context.of("b"), second).toList().equals(List.of("ok b")));
      assertThat(client.call("c").toList()).containsExactly("ok c");
      // the metrics tell the story: one lease lost, one move to a new instance id, connected again
      assertThat(worker.metrics().text())
          .contains("dynamo4j_instance_id_changes_total 1")
          .contains("dynamo4j_discovery_lease_losses_total{backend=\"etcd\"} 1")
          .contains("dynamo4j_discovery_connected{backend=\"etcd\"} 1")
          .contains("worker_id=\"" + Long.toHexString(second) + "\"");
    }
  }

  @Test
  void underTheShutdownPolicyTheRuntimeShutsItselfDownAsDynamoDoes() throws Exception {
    DistributedRuntime worker = runtime(Duration.ofSeconds(2), EtcdKeyValueStore.LeaseLossPolicy.SHUTDOWN);
    List<Long> lost = new CopyOnWriteArrayList<>();
    worker.addInstanceListener(new DistributedRuntime.InstanceListener() {
      @Override
      public void instanceLost(long id) {
        lost.add(id);
      }
    });
    serve(worker);
    long id = worker.instanceId();
    try (DistributedRuntime other = runtime(Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW)) {
      ((EtcdKeyValueStore) ((KvStoreDiscovery) other.discovery()).store()).client().getLeaseClient().revoke(id).get(5, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> lost.contains(id));
    worker.awaitTermination();
    assertThat(worker.instanceLost()).isTrue();
  }
}
