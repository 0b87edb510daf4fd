package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.FileKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.wire.PayloadCodec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DiscoveryCliTest {
  @TempDir Path root;

  static DiscoverySpec spec(String ns, String comp, String ep) {
    return new DiscoverySpec.Endpoint(ns, comp, ep, new TransportType.Tcp("10.0.0.5:41234/" + ep), null, PayloadCodec.MSGPACK);
  }

  @Test
  void listShowsRecordsForPeopleAndForScripts() {
    try (KvStoreDiscovery other = new KvStoreDiscovery(new FileKeyValueStore(root))) {
      other.register(spec("dynamo", "backend", "generate"));
      other.register(spec("dynamo", "prefill", "generate"));
      other.register(spec("other", "x", "y"));
      CliTest.Result human = CliTest.run("discovery", "list", "dynamo", "--file-kv", root.toString());
      assertThat(human.code()).isZero();
      assertThat(human.out()).contains("dynamo/backend/generate", "dynamo/prefill/generate", "2 instances", "tcp 10.0.0.5:41234/generate")
          .doesNotContain("other/x/y");
      CliTest.Result json = CliTest.run("discovery", "list", "dynamo/backend", "--json", "--backend", "file", "--file-kv", root.toString());
      assertThat(json.out().strip())
          .startsWith("[{\"type\":\"Endpoint\",\"component\":\"backend\",\"endpoint\":\"generate\",\"namespace\":\"dynamo\",\"instance_id\":")
          .endsWith("\"transport\":{\"tcp\":\"10.0.0.5:41234/generate\"},\"request_plane_codec\":\"msgpack\"}]");
    }
  }

  @Test
  void watchPrintsWhatIsThereAndExitsAfterCount() {
    try (KvStoreDiscovery other = new KvStoreDiscovery(new FileKeyValueStore(root))) {
      other.register(spec("w", "c", "e"));
      CliTest.Result r = CliTest.run("discovery", "watch", "w/c", "--count", "1", "--json", "--file-kv", root.toString());
      assertThat(r.code()).isZero();
      assertThat(r.out()).startsWith("{\"event\":\"added\",\"record\":{\"type\":\"Endpoint\"");
    }
  }

  @Test
  void registerHoldsTheRecordForTheGivenTime() {
    CliTest.Result r = CliTest.run("discovery", "register", "demo/worker/generate", "--for", "0", "--file-kv", root.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("registered demo/worker/generate", "unregistered demo/worker/generate");
    assertThat(CliTest.run("discovery", "list", "--file-kv", root.toString()).out()).contains("no endpoint instances");
  }

  @Test
  void unknownBackendIsAClearError() {
    CliTest.Result r = CliTest.run("discovery", "list", "--backend", "zookeeper");
    assertThat(r.code()).isEqualTo(2);
  }
}
