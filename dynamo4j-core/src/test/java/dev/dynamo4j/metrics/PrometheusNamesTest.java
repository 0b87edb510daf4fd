package dev.dynamo4j.metrics;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dynamo's sanitisers and label rules (spec §5.1, R7). */
class PrometheusNamesTest {
  @Test
  void metricNamesKeepValidCharactersReplaceOthersPrefixADigitAndRefuseEmptyOnes() {
    assertThat(PrometheusNames.sanitizeName("requests_total")).isEqualTo("requests_total");
    assertThat(PrometheusNames.sanitizeName("a-b.c:d")).isEqualTo("a_b_c:d");
    assertThat(PrometheusNames.sanitizeName("9lives")).isEqualTo("_9lives");
    assertThatThrownBy(() -> PrometheusNames.sanitizeName("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> PrometheusNames.sanitizeName("---")).hasMessageContaining("only invalid characters");
    assertThat(RuntimeMetrics.component("uptime_seconds")).isEqualTo("dynamo_component_uptime_seconds");
  }

  @Test
  void labelNamesAndAutoLabelValues() {
    assertThat(PrometheusNames.sanitizeLabel("my-namespace")).isEqualTo("my_namespace");
    assertThat(PrometheusNames.sanitizeLabel("a:b")).isEqualTo("a_b");
    assertThat(PrometheusNames.sanitizeLabel("1st")).isEqualTo("_1st");
    assertThat(PrometheusNames.sanitizeLabel("__secret")).isEqualTo("secret");
    assertThat(PrometheusNames.sanitizeLabel("__1")).isEqualTo("_1");
    assertThatThrownBy(() -> PrometheusNames.sanitizeLabel("__")).hasMessageContaining("only invalid characters");
    assertThat(PrometheusNames.autoLabelValue("")).isNull();
    assertThat(PrometheusNames.autoLabelValue("dyn-ns.v2")).isEqualTo("dyn_ns_v2");
    assertThat(PrometheusNames.workerId(0x1a2bL)).isEqualTo("1a2b");
  }

  @Test
  void userLabelsMayNotTakeTheAutomaticKeys() {
    PrometheusNames.checkUserLabels(Map.of("model", "llama"));
    for (String key : PrometheusNames.AUTO_LABELS) {
      assertThatThrownBy(() -> PrometheusNames.checkUserLabels(Map.of(key, "x")))
          .hasMessageContaining("automatically added by auto-label injection");
    }
  }
}
