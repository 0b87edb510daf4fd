package dev.dynamo4j.metrics;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.metrics.RuntimeMetrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The event plane's families (ours, {@code dynamo4j_events_*}), per scope and topic: what this
 * process's subscribers received, the gaps and duplicates they counted, the malformed messages
 * they dropped and the publishers they have seen; what its publishers sent and dropped. Several
 * subscribers (or publishers) of one topic in one process are summed (publishers seen: the most
 * any of them saw). Labels: {@code dynamo_namespace}, {@code dynamo_component} and {@code
 * dynamo_endpoint} as far as the scope goes, and {@code topic}.
 */
final class EventMetrics implements RuntimeMetrics.Source {
  private final Supplier<Collection<EventSubscriber>> subscribers;
  private final Supplier<Collection<EventPublisher>> publishers;

  public EventMetrics(Supplier<Collection<EventSubscriber>> subscribers, Supplier<Collection<EventPublisher>> publishers) {
    this.subscribers = subscribers;
    this.publishers = publishers;
  }

  /** The labels of a scope and topic. */
  public static Labels labels(EventScope scope, String topic) {
    List<String> n = new ArrayList<>();
    List<String> v = new ArrayList<>();
    switch (scope) {
      case EventScope.Namespace ns -> put(n, v, ns.name(), null, null);
      case EventScope.Component c -> put(n, v, c.namespace(), c.component(), null);
      case EventScope.Endpoint e -> put(n, v, e.namespace(), e.component(), e.name());
    }
    n.add("topic");
    v.add(topic);
    return Labels.of(n, v);
  }

  private static void put(List<String> n, List<String> v, String ns, String comp, String ep) {
    String[][] pairs = {{PrometheusNames.NAMESPACE_LABEL, ns}, {PrometheusNames.COMPONENT_LABEL, comp}, {PrometheusNames.ENDPOINT_LABEL, ep}};
    for (String[] p : pairs) {
      String value = PrometheusNames.autoLabelValue(p[1]);
      if (value != null) {
        n.add(p[0]);
        v.add(value);
      }
    }
  }

  @Override
  public void collect(List<MetricSnapshot> out) {
    Map<Labels, long[]> subs = new LinkedHashMap<>();
    for (EventSubscriber s : subscribers.get()) {
      EventSubscriber.Stats st = s.stats();
      long[] a = subs.computeIfAbsent(labels(s.scope(), s.topic()), k -> new long[6]);
      a[0] += st.received();
      a[1] += st.gaps();
      a[2] += st.duplicates();
      a[3] += s.malformed();
      a[4] = Math.max(a[4], st.publishers());
      a[5] += st.jumps();
    }
    Map<Labels, long[]> pubs = new LinkedHashMap<>();
    for (EventPublisher p : publishers.get()) {
      long[] a = pubs.computeIfAbsent(labels(p.scope(), p.topic()), k -> new long[3]);
      a[0] += p.sent();
      a[1] += p.dropped();
      a[2] += p.failed();
    }
    if (!subs.isEmpty()) {
      out.add(counter("events_received", "Events delivered to this process's subscribers", subs, 0));
      out.add(counter("events_gaps", "Events missed by this process's subscribers (holes in a publisher's sequence)", subs, 1));
      out.add(counter("events_duplicates", "Events received again and dropped by this process's subscribers", subs, 2));
      out.add(counter("events_malformed", "Messages dropped because they were not valid events", subs, 3));
      out.add(counter("events_sequence_jumps", "Events far ahead of their publisher's sequence, delivered but not believed until confirmed", subs, 5));
      GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(RuntimeMetrics.ours("events_publishers_seen"))
          .help("Distinct publishers a subscriber of this topic has received from");
      subs.forEach((l, a) -> g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(a[4]).build()));
      out.add(g.build());
    }
    if (!pubs.isEmpty()) {
      out.add(counter("events_published", "Events this process's publishers sent", pubs, 0));
      out.add(counter("events_publish_dropped", "Events this process's publishers dropped at a full subscriber", pubs, 1));
      out.add(counter("events_publish_failed", "Events this process's publishers lost to a transport error while sending", pubs, 2));
    }
  }

  private static CounterSnapshot counter(String name, String help, Map<Labels, long[]> rows, int column) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(RuntimeMetrics.ours(name)).help(help);
    rows.forEach((l, a) -> b.dataPoint(RuntimeMetrics.count(l, a[column])));
    return b.build();
  }
}
