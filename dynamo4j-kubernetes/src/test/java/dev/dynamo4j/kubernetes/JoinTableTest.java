package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Dynamo's daemon JoinTable cases: ready AND parsed; revisions; last good records by uid. */
class JoinTableTest {
  static JsonNode data(String ep, long id) {
    DiscoveryMetadata md = new DiscoveryMetadata();
    md.put(new DiscoverySpec.Endpoint("ns", "c", ep, new TransportType.Tcp("h:1/" + ep), null, PayloadCodec.MSGPACK).toInstance(id));
    return md.toJson();
  }

  static final JsonNode GARBAGE = Json.parseObject("t", "{\"endpoints\":{\"x\":{\"type\":\"Nope\"}}}".getBytes(StandardCharsets.UTF_8));

  @Test
  void addsWhenTheResourceArrivesAfterThePodIsReadyAndRemovesAtOnceWhenItIsNot() {
    JoinTable t = new JoinTable();
    assertThat(t.setReady("slice/a", Set.of("w1"))).isTrue();
    assertThat(t.instances()).isEmpty();
    assertThat(t.putResource("w1", "uid1", "g1", data("gen", 1))).isTrue();
    assertThat(t.instances()).hasSize(1);
    assertThat(t.setReady("slice/a", Set.of())).isTrue(); // not ready: gone, without waiting
    assertThat(t.instances()).isEmpty();
    assertThat(t.setReady("slice/a", Set.of("w1"))).isTrue();
    assertThat(t.instances()).hasSize(1);
  }

  @Test
  void theSameRevisionIsNotReadAgainButARecreatedResourceWithTheSameGenerationIs() {
    JoinTable t = new JoinTable();
    t.setReady("slice/a", Set.of("w1"));
    t.putResource("w1", "uid1", "g1", data("gen", 1));
    assertThat(t.putResource("w1", "uid1", "g1", data("other", 1))).isFalse();
    assertThat(t.putResource("w1", "uid2", "g1", data("other", 1))).isTrue(); // deleted and created again
    assertThat(t.instances().keySet()).allSatisfy(id -> assertThat(id.toPath()).contains("/other/"));
  }

  @Test
  void anUnparsableResourceKeepsItsLastGoodRecordsOnlyWhileItsUidIsTheSame() {
    JoinTable t = new JoinTable();
    t.setReady("slice/a", Set.of("w1", "w2"));
    t.putResource("w1", "uid1", "g1", data("gen", 1));
    assertThat(t.putResource("w1", "uid1", "g2", GARBAGE)).isFalse();
    assertThat(t.instances()).hasSize(1);
    assertThat(t.putResource("w2", "uid9", "g1", GARBAGE)).isFalse(); // never parsed: nothing
    assertThat(t.putResource("w1", "uid3", "g1", GARBAGE)).isTrue(); // a new resource that does not parse: dropped
    assertThat(t.instances()).isEmpty();
  }

  @Test
  void removingTheResourceEvictsAndReadinessFromSeveralSlicesIsAUnion() {
    JoinTable t = new JoinTable();
    t.setReady("slice/a", Set.of("w1"));
    t.setReady("slice/b", Set.of("w2"));
    t.putResource("w1", "u1", "g1", data("e", 1));
    t.putResource("w2", "u2", "g1", data("e", 2));
    assertThat(t.instances()).hasSize(2);
    assertThat(t.setReady("slice/b", null)).isTrue();
    assertThat(t.instances()).hasSize(1);
    assertThat(t.removeResource("w1")).isTrue();
    assertThat(t.instances()).isEmpty();
    assertThat(t.setReady("slice/a", Set.of("w1"))).isFalse(); // same as before: no change
  }
}
