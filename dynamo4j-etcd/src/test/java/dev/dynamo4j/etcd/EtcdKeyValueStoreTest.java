package dev.dynamo4j.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.WatchEvent;
import dev.dynamo4j.testkit.EtcdServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only etcd does: the lease, its loss and renewal, resumed and compacted watches, a killed etcd. */
@Timeout(120)
class EtcdKeyValueStoreTest {
  EtcdServer etcd;
  final List<EtcdKeyValueStore> stores = new ArrayList<>();

  @BeforeEach
  void startEtcd() throws Exception {
    etcd = EtcdServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (EtcdKeyValueStore s : stores) {
      s.shutdown();
    }
    etcd.close();
  }

  EtcdKeyValueStore store(Duration ttl, EtcdKeyValueStore.LeaseLossPolicy policy) {
    EtcdKeyValueStore s = EtcdKeyValueStore.connect(EtcdConfig.builder(Map.of()).endpoints(etcd.endpoint()).build(), ttl, policy);
    stores.add(s);
    return s;
  }

  EtcdKeyValueStore store() {
    return store(EtcdKeyValueStore.DEFAULT_LEASE_TTL, EtcdKeyValueStore.LeaseLossPolicy.RENEW);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  long leaseOf(EtcdKeyValueStore via, String fullKey) throws Exception {
    var kvs = via.client().getKVClient().get(ByteSequence.from(fullKey, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? -1 : kvs.get(0).getLease();
  }

  @Test
  void recordsLiveAtBucketSlashKeyBoundToTheLeaseAndShutdownRevokesIt() throws Exception {
    EtcdKeyValueStore owner = store();
    EtcdKeyValueStore other = store();
    assertThat(owner.connectionId()).isNotZero().isNotEqualTo(other.connectionId());
    owner.getOrCreateBucket("v1/instances", null).insert("ns/comp/ep/1f", b("{}"), 0);
    EtcdServer.Result get = etcd.etcdctl("get", "--prefix", "v1/instances/");
    assertThat(get.stdout()).isEqualTo("v1/instances/ns/comp/ep/1f\n{}\n");
    assertThat(leaseOf(other, "v1/instances/ns/comp/ep/1f")).isEqualTo(owner.connectionId());
    var ttl = other.client().getLeaseClient().timeToLive(owner.connectionId(), LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS);
    assertThat(ttl.getGrantedTTL()).isEqualTo(10);

    owner.shutdown();
    assertThat(other.getOrCreateBucket("v1/instances", null).get("ns/comp/ep/1f")).as("revoked at once, no TTL wait").isEmpty();
  }

  @Test
  void aWatchResumesAfterEtcdIsKilledAndRestartedAndMissesNothing() throws Exception {
    EtcdKeyValueStore watcherStore = store();
    EtcdKeyValueStore writer = store();
    Bucket wb = writer.getOrCreateBucket("resume", null);
    for (int i = 0; i < 5; i++) {
      wb.insert("k" + i, b("v" + i), 0);
    }
    KvWatch w = watcherStore.getOrCreateBucket("resume", null).watch();
    assertThat(((WatchEvent.Resync) w.poll(Duration.ofSeconds(10))).entries()).hasSize(5);

    etcd.kill();
    etcd.restart();
    // written as soon as etcd is back, before the watcher has necessarily reconnected
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> wb.insert("k5", b("v5"), 0) != null);
    for (int i = 6; i < 50; i++) {
      wb.insert("k" + i, b("v" + i), 0);
    }
    wb.delete("k0");
    Map<String, String> state = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      state.put("k" + i, "v" + i);
    }
    List<WatchEvent> seen = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (!(state.size() == 49 && !state.containsKey("k0")) && System.nanoTime() < deadline) {
      WatchEvent e = w.poll(Duration.ofSeconds(1));
      if (e == null) {
        continue;
      }
      seen.add(e);
      switch (e) {
        case WatchEvent.Put p -> state.put(p.key(), s(p.value()));
        case WatchEvent.Delete d -> state.remove(d.key());
        case WatchEvent.Resync r -> {
          state.clear();
          r.entries().forEach((k, v) -> state.put(k, s(v)));
        }
      }
    }
    assertThat(state).hasSize(49).doesNotContainKey("k0").containsEntry("k49", "v49");
    assertThat(seen).as("resumed from the last revision: every change as its own event, no resync needed")
        .noneMatch(e -> e instanceof WatchEvent.Resync).hasSize(46);
    // what the metrics report of it (dynamo4j_discovery_*)
    assertThat(watcherStore.gauges().get("watch_breaks_total")).isPositive();
    assertThat(watcherStore.gauges()).containsEntry("watch_resyncs_total", 0L);
    await().atMost(Duration.ofSeconds(30)).until(() -> watcherStore.gauges().get("connected") == 1L);
  }

  @Test
  void aCompactedRevisionGivesAFreshResyncNeverSilentLoss() throws Exception {
    EtcdKeyValueStore st = store();
    Bucket bucket = st.getOrCreateBucket("compact", null);
    bucket.insert("a", b("1"), 0);
    KvWatch w = bucket.watch();
    assertThat(w.poll(Duration.ofSeconds(10))).isInstanceOf(WatchEvent.Resync.class);
    long old = st.client().getKVClient().get(ByteSequence.from("compact/a", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS).getHeader().getRevision();
    assertThat(w.poll(Duration.ofMillis(300))).isNull();
    // changes the watcher will be told about through a Resync, after the history is compacted away
    bucket.insert("b", b("2"), 0);
    bucket.delete("a");
    bucket.insert("c", b("3"), 0);
    long now = st.client().getKVClient().get(ByteSequence.from("compact/", StandardCharsets.UTF_8), GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getHeader().getRevision();
    // drain what the live watch already delivered, then compact and resume from the old revision
    while (w.poll(Duration.ofMillis(300)) != null) {
      // the live watch saw them; the point is what happens on resuming below
    }
    st.client().getKVClient().compact(now).get(5, TimeUnit.SECONDS);
    st.rewatchFrom("compact", old + 1);
    WatchEvent e = w.poll(Duration.ofSeconds(10));
    assertThat(e).isInstanceOfSatisfying(WatchEvent.Resync.class, r -> assertThat(r.entries().keySet()).containsExactlyInAnyOrder("b", "c"));
    bucket.insert("d", b("4"), 0);
    assertThat(w.poll(Duration.ofSeconds(10))).as("and the watch goes on").isEqualTo(new WatchEvent.Put("d", b("4")));
  }

  @Test
  void aLeaseLostWhileEtcdIsDownIsRenewedAndTheRecordsWrittenAgain() throws Exception {
    EtcdKeyValueStore st = store(Duration.ofSeconds(2), EtcdKeyValueStore.LeaseLossPolicy.RENEW);
    List<String> events = new CopyOnWriteArrayList<>();
    st.addLeaseListener(new EtcdKeyValueStore.LeaseListener() {
      @Override
      public void leaseLost(long id) {
        events.add("lost " + Long.toHexString(id));
      }

      @Override
      public void leaseRenewed(long oldId, long newId) {
        events.add("renewed " + Long.toHexString(oldId) + " -> " + Long.toHexString(newId));
      }
    });
    long first = st.connectionId();
    st.getOrCreateBucket("v1/instances", null).insert("ns/c/e/1", b("rec"), 0);
    etcd.kill();
    await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("lost " + Long.toHexString(first)));
    etcd.restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> events.size() == 2);
    long second = st.connectionId();
    assertThat(second).isNotEqualTo(first);
    assertThat(events.get(1)).isEqualTo("renewed " + Long.toHexString(first) + " -> " + Long.toHexString(second));
    EtcdKeyValueStore reader = store();
    assertThat(leaseOf(reader, "v1/instances/ns/c/e/1")).isEqualTo(second);
    // the old lease, if etcd kept it over the restart, expires without taking the record along
    await().atMost(Duration.ofSeconds(20)).until(() ->
        reader.client().getLeaseClient().timeToLive(first, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL() <= 0);
    assertThat(reader.getOrCreateBucket("v1/instances", null).get("ns/c/e/1")).map(StoreTestBytes::s).contains("rec");
  }

  @Test
  void underTheShutdownPolicyALostLeaseOnlyTellsTheListeners() throws Exception {
    EtcdKeyValueStore st = store(Duration.ofSeconds(2), EtcdKeyValueStore.LeaseLossPolicy.SHUTDOWN);
    List<Long> lost = new CopyOnWriteArrayList<>();
    st.addLeaseListener(new EtcdKeyValueStore.LeaseListener() {
      @Override
      public void leaseLost(long id) {
        lost.add(id);
      }
    });
    // revoking the lease from outside is the quickest way to lose it
    store().client().getLeaseClient().revoke(st.connectionId()).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> lost.contains(st.connectionId()));
    assertThatThrownBy(() -> st.getOrCreateBucket("x", null)).isInstanceOf(StoreException.class).hasMessageContaining("shut down");
  }

  @Test
  void userAndPasswordFromTheEnvironmentAndAWrongPasswordIsAClearError() throws Exception {
    assertThat(etcd.etcdctl("user", "add", "root", "--new-user-password=s3cret").exitCode()).isZero();
    assertThat(etcd.etcdctl("auth", "enable").exitCode()).isZero();
    EtcdConfig good = EtcdConfig.builder(Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "ETCD_AUTH_USERNAME", "root", "ETCD_AUTH_PASSWORD", "s3cret")).build();
    try (EtcdKeyValueStore st = EtcdKeyValueStore.connect(good, Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW)) {
      st.getOrCreateBucket("auth", null).insert("k", b("v"), 0);
      assertThat(st.getOrCreateBucket("auth", null).get("k")).map(EtcdKeyValueStoreTest::s).contains("v");
    }
    EtcdConfig bad = EtcdConfig.builder(Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "ETCD_AUTH_USERNAME", "root", "ETCD_AUTH_PASSWORD", "wrong")).build();
    assertThatThrownBy(() -> EtcdKeyValueStore.connect(bad, Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("authentication failed").hasMessageContaining("user 'root'; check ETCD_AUTH_PASSWORD");
    EtcdConfig none = EtcdConfig.builder(Map.of("ETCD_ENDPOINTS", etcd.endpoint())).build();
    assertThatThrownBy(() -> EtcdKeyValueStore.connect(none, Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW))
        .isInstanceOf(StoreException.class).hasMessageContaining("set ETCD_AUTH_USERNAME and ETCD_AUTH_PASSWORD");
  }

  @Test
  void anUnreachableEtcdIsAClearErrorNotAHang() {
    EtcdConfig cfg = EtcdConfig.builder(Map.of()).endpoints("http://127.0.0.1:1").connectTimeout(Duration.ofSeconds(1)).build();
    assertThatThrownBy(() -> EtcdKeyValueStore.connect(cfg, Duration.ofSeconds(10), EtcdKeyValueStore.LeaseLossPolicy.RENEW))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot reach etcd at [http://127.0.0.1:1]");
  }

  static final class StoreTestBytes {
    static String s(byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
  }
}
