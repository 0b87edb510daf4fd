package dev.dynamo4j.wire;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code %XX} encoding of event-plane subject and path segments: bytes in {@code
 * [A-Za-z0-9_-]} are kept, every other byte (including {@code .}, {@code /}, {@code *}, {@code
 * >}, {@code %}, space and each byte of multi-byte UTF-8) becomes {@code %} and two upper-case
 * hex digits. Decoding rejects truncated escapes, bad hex and invalid UTF-8.
 */
public final class SubjectEncoding {
  private SubjectEncoding() {}

  static final String FORMAT = "SubjectSegment";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  public static String encodeSegment(String segment) {
    byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return sb.toString();
  }

  public static String decodeSegment(String encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          throw new WireFormatException(FORMAT, "truncated escape at offset " + i + " in '" + encoded + "'");
        }
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new WireFormatException(FORMAT, "bad hex escape at offset " + i + " in '" + encoded + "'");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        throw new WireFormatException(FORMAT, "non-ASCII character in encoded segment '" + encoded + "'");
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new WireFormatException(FORMAT, "decoded segment is not valid UTF-8: '" + encoded + "'");
    }
  }
}
