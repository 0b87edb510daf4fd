package dev.dynamo4j.wire;

/**
 * A bounds-checked read position in MessagePack bytes, shared by the readers of this package
 * ({@link MsgpackTree}, the event envelope's one-pass decoder). Every failure is a {@link
 * WireFormatException} of {@code format} that says what was being read.
 */
class MsgpackCursor {
  final String format;
  final byte[] buf;
  final int end;
  int pos;

  MsgpackCursor(String format, byte[] buf, int pos, int end) {
    this.format = format;
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  final int remaining() {
    return end - pos;
  }

  final void need(long n, String what) {
    if (n < 0 || n > remaining()) {
      throw new WireFormatException(format, what + " needs " + Long.toUnsignedString(n) + " bytes but only " + remaining() + " remain");
    }
  }

  final int u8() {
    need(1, "a MessagePack value");
    return buf[pos++] & 0xFF;
  }

  final long uN(int n, String what) {
    need(n, what);
    long v = 0;
    for (int i = 0; i < n; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  /** For a str type byte {@code b} (fixstr, str8/16/32): reads and returns its length; -1 for any other type. */
  final long strLength(int b) {
    if (b >= 0xa0 && b <= 0xbf) {
      return b & 0x1f;
    }
    return switch (b) {
      case 0xd9 -> uN(1, "str8 length");
      case 0xda -> uN(2, "str16 length");
      case 0xdb -> uN(4, "str32 length");
      default -> -1;
    };
  }
}
