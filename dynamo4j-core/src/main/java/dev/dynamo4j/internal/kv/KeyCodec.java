package dev.dynamo4j.internal.kv;

import dev.dynamo4j.wire.WireFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Dynamo's {@code Key::url_safe}: every byte that is not an ASCII letter or digit becomes {@code %XX}. */
final class KeyCodec {
  private KeyCodec() {}

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  public static String urlSafe(String key) {
    StringBuilder sb = new StringBuilder(key.length() * 2);
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return sb.toString();
  }

  public static String fromUrlSafe(String encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          throw new WireFormatException("KvKey", "truncated escape in '" + encoded + "'");
        }
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new WireFormatException("KvKey", "bad escape in '" + encoded + "'");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
