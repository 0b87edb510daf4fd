package dev.dynamo4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed settings: defaults, fallbacks, and a bad value named with what was expected. */
class SettingTest {
  private static final Setting.Declarer T = Setting.in("dynamo4j-test");

  private static void invalid(Setting<?> s, String value, String message) {
    assertThatThrownBy(() -> s.read(Map.of(s.name(), value)))
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument);
          assertThat(e.getMessage()).isEqualTo(message);
        });
  }

  @Test
  void unsetOrBlankIsTheDefaultOrTheFallbackAndTextIsTrimmed() {
    Setting<String> s = T.text("T_TEXT", "d", "x");
    assertThat(s.read(Map.of())).isEqualTo("d");
    assertThat(s.read(Map.of("T_TEXT", "  "))).isEqualTo("d");
    assertThat(s.read(Map.of(), "fallback")).isEqualTo("fallback");
    assertThat(s.read(Map.of("T_TEXT", " v "))).isEqualTo("v");
    assertThat(s.isSet(Map.of("T_TEXT", " "))).isFalse();
  }

  @Test
  void numbersSecondsFlagsAndChoicesParseOrSayWhatWasExpected() {
    Setting<Long> n = T.integer("T_N", 5, 1, 10, "x");
    assertThat(n.read(Map.of("T_N", "10"))).isEqualTo(10L);
    invalid(n, "11", "Invalid T_N value '11': expected a whole number from 1 to 10");
    invalid(n, "ten", "Invalid T_N value 'ten': expected a whole number from 1 to 10");
    Setting<Duration> secs = T.seconds("T_S", Duration.ofSeconds(30), false, "x");
    assertThat(secs.read(Map.of("T_S", "0.25"))).isEqualTo(Duration.ofMillis(250));
    assertThat(secs.defaultText()).isEqualTo("30");
    invalid(secs, "0", "Invalid T_S value '0': expected a positive number of seconds up to a year");
    invalid(secs, "-1", "Invalid T_S value '-1': expected a positive number of seconds up to a year");
    invalid(secs, "soon", "Invalid T_S value 'soon': expected seconds, e.g. 30 or 0.5");
    Setting<Duration> zeroOk = T.seconds("T_Z", Duration.ZERO, true, "x");
    assertThat(zeroOk.read(Map.of("T_Z", "0"))).isZero();
    Setting<Boolean> f = T.flag("T_F", false, "x");
    for (String yes : List.of("1", "true", "YES", "On")) {
      assertThat(f.read(Map.of("T_F", yes))).as(yes).isTrue();
    }
    for (String no : List.of("0", "false", "No", "OFF")) {
      assertThat(f.read(Map.of("T_F", no))).as(no).isFalse();
    }
    invalid(f, "maybe", "Invalid T_F value 'maybe': expected true or false");
    Setting<String> c = T.oneOf("T_C", "a", "x", "alpha", "beta");
    assertThat(c.read(Map.of("T_C", "BETA"))).isEqualTo("beta");
    invalid(c, "gamma", "Invalid T_C value 'gamma': expected one of alpha, beta");
    Setting<Duration> ms = T.millis("T_MS", Duration.ofSeconds(5), 1, 1000, "x");
    assertThat(ms.read(Map.of("T_MS", "250"))).isEqualTo(Duration.ofMillis(250));
    assertThat(ms.defaultText()).isEqualTo("5000");
  }

  @Test
  void theCatalogListsCoresSettingsOnceEachSortedWithTheirModule() {
    List<Setting<?>> all = Settings.all();
    assertThat(all).extracting(Setting::name).doesNotHaveDuplicates().isSorted()
        .doesNotContain("NATS_SERVER", "ETCD_ENDPOINTS", "DYN_ZMQ_IO_THREADS") // the modules' own: not on core's class path
        .contains("DYN_TCP_RPC_PORT", "DYN_TCP_TLS_CERT_PATH", "DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS", "DYN_SYSTEM_PORT", "DYN_FILE_KV_ALLOW_SHARED_ROOT");
    Setting<?> window = all.stream().filter(s -> s.name().equals("DYN_TCP_RESPONSE_STREAM_WINDOW_BYTES")).findFirst().orElseThrow();
    assertThat(window.module()).isEqualTo("dynamo4j-core");
    assertThat(window.defaultText()).isEqualTo("1048576");
    assertThat(Settings.markdown(all)).contains("| `DYN_TCP_RPC_PORT` | 0 (any) | Dynamo's | core |");
    assertThat(Settings.markdown(List.of(T.text("T_PIPE", null, "a | b")))).contains("a \\| b");
  }
}
