package dev.dynamo4j.kubernetes;

import java.nio.charset.StandardCharsets;

/**
 * Rust's {@code std::collections::hash_map::DefaultHasher} over a {@code str}, as Dynamo uses it
 * for Kubernetes instance ids: SipHash-1-3 with both keys 0, over the string's UTF-8 bytes followed
 * by one {@code 0xFF} byte (how {@code impl Hash for str} writes a string). Checked against rustc's
 * standard library (vectors in {@code RustHashTest}).
 */
final class RustHash {
  private RustHash() {}

  /** Dynamo's instance ids are masked to 53 bits, so they survive JSON as a double. */
  static final long JSON_SAFE_MASK = 0x001F_FFFF_FFFF_FFFFL;

  /** {@code DefaultHasher::new()}, {@code s.hash(&mut h)}, {@code h.finish()}. */
  static long hashStr(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] m = new byte[utf8.length + 1];
    System.arraycopy(utf8, 0, m, 0, utf8.length);
    m[utf8.length] = (byte) 0xff;
    return sipHash13(m);
  }

  /** SipHash-1-3 with keys (0, 0). */
  static long sipHash13(byte[] m) {
    long v0 = 0x736f6d6570736575L;
    long v1 = 0x646f72616e646f6dL;
    long v2 = 0x6c7967656e657261L;
    long v3 = 0x7465646279746573L;
    int len = m.length;
    int end = len - (len % 8);
    for (int i = 0; i < end; i += 8) {
      long k = 0;
      for (int j = 7; j >= 0; j--) {
        k = (k << 8) | (m[i + j] & 0xffL);
      }
      v3 ^= k;
      // one compression round (the "1" of SipHash-1-3)
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
      v0 ^= k;
    }
    long b = ((long) len & 0xff) << 56;
    for (int j = len - end - 1; j >= 0; j--) {
      b |= (m[end + j] & 0xffL) << (8 * j);
    }
    v3 ^= b;
    v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
    v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
    v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
    v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < 3; r++) { // the "3" finalization rounds
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    return v0 ^ v1 ^ v2 ^ v3;
  }
}
