package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JSON bytes exactly as serde_json writes them (spec T5): non-ASCII, including characters outside
 * the BMP, as raw UTF-8; escaped only {@code "}, {@code \}, and control characters ({@code \b \f
 * \n \r \t} short, the others {@code \\u00xx} with lower-case hex). Reference bytes are what
 * {@code serde_json::to_vec} writes for the same strings.
 */
class JsonBytesTest {
  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void charactersOutsideTheBmpAreRawUtf8() {
    assertThat(hex(Json.toBytes("\uD83D\uDE80"))).isEqualTo("22f09f9a8022"); // "🚀"
    assertThat(hex(Json.write(g -> g.writeString("a\uD83D\uDE80b")))).isEqualTo("2261f09f9a806222");
  }

  @Test
  void nonAsciiInTheBmpIsRawUtf8() {
    assertThat(Json.toBytes("тест.端点 é")).isEqualTo(utf8("\"тест.端点 é\""));
  }

  @Test
  void controlCharactersUseShortFormsOrLowerCaseHex() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      all.append(c);
    }
    all.append('"').append('\\').append('/').append((char) 0x7f);
    String expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
        + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
        + "\\\"\\\\/\u007f\"";
    assertThat(new String(Json.toBytes(all.toString()), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(new String(Json.write(g -> g.writeString(all.toString())), StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @Test
  void keysAndNestedValuesFollowTheSameRules() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("k\u001f\uD83D\uDE00", Map.of("v", "\u0001é"));
    assertThat(new String(Json.toBytes(m), StandardCharsets.UTF_8)).isEqualTo("{\"k\\u001f\uD83D\uDE00\":{\"v\":\"\\u0001é\"}}");
  }

  @Test
  void wireRecordsAreWrittenTheSameWay() {
    ControlMessage.class.getName(); // records written through Json.write share the factory
    byte[] info = new TcpStreamConnectionInfo("127.0.0.1:1", "s\u001b", "ctx\uD83D\uDE80", StreamType.RESPONSE).toJson().getBytes(StandardCharsets.UTF_8);
    assertThat(new String(info, StandardCharsets.UTF_8)).isEqualTo(
        "{\"address\":\"127.0.0.1:1\",\"subject\":\"s\\u001b\",\"context\":\"ctx\uD83D\uDE80\",\"stream_type\":\"response\"}");
  }

  @Test
  void aLoneSurrogateIsWrittenAsAnEscapeNotAnError() {
    // A Rust string cannot hold one (it has no UTF-8 form); Jackson writes its escape, lower-case.
    // serde_json refuses that escape, so such a string never reaches a Dynamo peer intact.
    byte[] out = Json.toBytes("a\uD83Db");
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("\"a\\ud83db\"");
  }
}
