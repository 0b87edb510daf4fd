package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.testkit.ChildJvm;
import dev.dynamo4j.testkit.EtcdServer;
import dev.dynamo4j.testkit.EtcdServerExtension;
import dev.dynamo4j.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI on etcd discovery against a real etcd, checked with the real etcdctl both ways: what a
 * dynamo4j worker writes is what Dynamo writes, and what another Dynamo process writes is found.
 */
@Timeout(120)
class EtcdCliTest {
  @RegisterExtension static final EtcdServerExtension etcd = new EtcdServerExtension();

  @Test
  void aWorkerWritesDynamosKeyAndJsonByteForByteAndCallersReachIt() throws Exception {
    String ep = etcd.endpoint();
    try (ChildJvm worker = ChildJvm.start(Main.class, "serve", "etcdcli/backend/generate", "--backend", "etcd", "--etcd-endpoints", ep, "--delay-ms", "1", "--tokens", "3")) {
      String line = worker.awaitLine("serving ", Duration.ofSeconds(60));
      Matcher m = Pattern.compile("as instance ([0-9a-f]+) at tcp (\\S+) ").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      String hex = m.group(1);
      String address = m.group(2);
      assertThat(line).contains("discovery etcd " + ep);

      EtcdServer.Result got = etcd.etcdctl("get", "--prefix", "v1/instances/etcdcli/");
      assertThat(got.exitCode()).isZero();
      assertThat(got.stdout()).isEqualTo("v1/instances/etcdcli/backend/generate/" + hex + "\n"
          + "{\"type\":\"Endpoint\",\"component\":\"backend\",\"endpoint\":\"generate\",\"namespace\":\"etcdcli\",\"instance_id\":"
          + Long.parseUnsignedLong(hex, 16) + ",\"transport\":{\"tcp\":\"" + address + "\"},\"request_plane_codec\":\"msgpack\"}\n");
      EtcdServer.Result lease = etcd.etcdctl("lease", "timetolive", hex);
      assertThat(lease.stdout()).as("bound to the 10 s lease whose id is the instance id").contains("granted with TTL(10s)");

      CliTest.Result r = CliTest.run("call", "etcdcli/backend/generate", "\"alpha beta\"", "--backend", "etcd", "--etcd-endpoints", ep);
      assertThat(r.code()).isZero();
      assertThat(r.out().strip()).isEqualTo("alpha beta alpha");
    }
  }

  @Test
  void aRecordWrittenByEtcdctlAsAnotherDynamoProcessWouldIsListed() throws Exception {
    String value = "{\"type\":\"Endpoint\",\"component\":\"backend\",\"endpoint\":\"generate\",\"namespace\":\"dynamo\","
        + "\"instance_id\":7587891492460330768,\"transport\":{\"tcp\":\"10.0.0.5:41023/694d9b1c2a4e7f10/generate\"},"
        + "\"device_type\":\"cuda\",\"request_plane_codec\":\"msgpack\"}";
    assertThat(etcd.etcdctl("put", "v1/instances/dynamo/backend/generate/694d9b1c2a4e7f10", value).exitCode()).isZero();
    CliTest.Result list = CliTest.run("discovery", "list", "dynamo", "--backend", "etcd", "--etcd-endpoints", etcd.endpoint());
    assertThat(list.code()).isZero();
    assertThat(list.out()).contains("dynamo/backend/generate", "694d9b1c2a4e7f10", "tcp 10.0.0.5:41023/694d9b1c2a4e7f10/generate")
        .contains("1 instance (etcd " + etcd.endpoint() + ")");
    etcd.etcdctl("del", "v1/instances/dynamo/backend/generate/694d9b1c2a4e7f10");
  }

  @Test
  void theDemoRunsOnEtcd() {
    CliTest.Result r = CliTest.run("demo", "--backend", "etcd", "--etcd-endpoints", etcd.endpoint(), "--workers", "2", "--requests", "2", "--delay-ms", "1");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("discovery in etcd " + etcd.endpoint(), "frontend  sees 2 instances", "dynamo4j demo: finished");
  }

  @Test
  void benchDiscoveryMeasuresEtcdNextToItsStore() throws Exception {
    Path json = Files.createTempFile("bench-discovery", ".json");
    CliTest.Result r = CliTest.run("bench", "discovery", "--backends", "etcd", "--etcd-endpoints", etcd.endpoint(), "--registrations", "5", "--records", "50", "--output", json.toString());
    assertThat(r.code()).isZero();
    var row = Json.MAPPER.readTree(Files.readAllBytes(json)).get("results").get(0);
    assertThat(row.get("backend").asText()).isEqualTo("etcd");
    assertThat(row.get("register_to_added_us").get("count").asLong()).isEqualTo(5);
    assertThat(row.get("baseline_insert_to_event_us").get("p50").asLong()).isPositive();
    assertThat(row.get("list_ms").asDouble()).isPositive();
    assertThat(etcd.etcdctl("get", "--prefix", "v1/instances/bench", "--keys-only").stdout()).as("records removed after").isBlank();
  }

  @Test
  void anUnreachableEtcdIsOneClearLine() {
    CliTest.Result r = CliTest.run("discovery", "list", "--backend", "etcd", "--etcd-endpoints", "http://127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
  }
}
