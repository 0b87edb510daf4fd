package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.wire.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the runtime reports of the publishers and subscribers it hands out (metrics, status report). */
class RuntimeEventsTest {
  @Test
  void theRuntimeHandsOutPublishersAndSubscribersOfItsPlane() throws Exception {
    try (DistributedRuntime rt = DistributedRuntime.processLocal()) {
      EventScope.Endpoint scope = new EventScope.Endpoint("rt" + System.nanoTime(), "c", "e");
      try (EventSubscriber sub = rt.subscriber(scope, "metrics"); EventPublisher pub = rt.publisher(scope, "metrics")) {
        pub.publish(Map.of("load", 3));
        assertThat(sub.poll(Duration.ofSeconds(2)).decode(Map.class)).containsEntry("load", 3);
        assertThat(pub.publisherId()).isBetween(0L, EventEnvelope.MAX_JSON_SAFE_ID);
        pub.publish(Map.of("load", 4));
        assertThat(sub.poll(Duration.ofSeconds(2))).isNotNull();
        // what the runtime's metrics and status page report of them
        String labels = "dynamo_component=\"c\",dynamo_endpoint=\"e\",dynamo_namespace=\"" + scope.namespace() + "\",topic=\"metrics\"";
        assertThat(rt.metrics().text())
            .contains("dynamo4j_events_received_total{" + labels + "} 2")
            .contains("dynamo4j_events_gaps_total{" + labels + "} 0")
            .contains("dynamo4j_events_publishers_seen{" + labels + "} 1")
            .contains("dynamo4j_events_published_total{" + labels + "} 2");
        assertThat(new String(StatusReport.json(rt), StandardCharsets.UTF_8))
            .contains("\"topic\":\"metrics\",\"received\":2,\"gaps\":0");
      }
      assertThat(rt.subscribers()).isEmpty();
      assertThat(rt.metrics().text()).doesNotContain("dynamo4j_events_received_total");
    }
  }
}
