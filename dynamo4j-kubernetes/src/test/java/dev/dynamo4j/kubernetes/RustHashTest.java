package dev.dynamo4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Vectors computed with Rust's standard library ({@code DefaultHasher::new()}, {@code
 * name.hash(&mut h)}, {@code h.finish()}, rustc on this machine), so the Java port is checked
 * against the real thing, not against itself.
 */
class RustHashTest {
  @Test
  void matchesRustsDefaultHasherOverAStr() {
    assertThat(Long.toUnsignedString(RustHash.hashStr("worker-0"))).isEqualTo("12863466981639851263");
    assertThat(Long.toUnsignedString(RustHash.hashStr("legacy-worker"))).isEqualTo("5835332928538091660");
    assertThat(Long.toUnsignedString(RustHash.hashStr("worker-0-engine-0"))).isEqualTo("8663969510287147603");
    assertThat(Long.toUnsignedString(RustHash.hashStr(""))).isEqualTo("3476900567878811119");
    assertThat(Long.toUnsignedString(RustHash.hashStr("dynamo-frontend-7d9f8c6b5-x2x9q"))).isEqualTo("8336007623190116385");
    assertThat(Long.toUnsignedString(RustHash.hashStr("pod-\u00e9\ud83d\ude80"))).isEqualTo("12137523088385746735");
    assertThat(Long.toUnsignedString(RustHash.hashStr("a-very-long-pod-name-that-goes-past-sixty-four-bytes-of-utf8-text-0123456789")))
        .isEqualTo("8091888039981204815");
  }

  @Test
  void instanceIdsAreMaskedTo53Bits() {
    assertThat(RustHash.hashStr("worker-0") & RustHash.JSON_SAFE_MASK).isEqualTo(1186445869714687L);
    assertThat(RustHash.hashStr("legacy-worker") & RustHash.JSON_SAFE_MASK).isEqualTo(7675010720669836L);
    assertThat(KubeIdentity.of("worker-0", "u", "ns", KubeIdentity.Mode.POD, null).instanceId()).isEqualTo(1186445869714687L);
    assertThat(KubeIdentity.of("worker-0", "u", "ns", KubeIdentity.Mode.CONTAINER, "engine-0").instanceId()).isEqualTo(8051026481054291L);
  }
}
