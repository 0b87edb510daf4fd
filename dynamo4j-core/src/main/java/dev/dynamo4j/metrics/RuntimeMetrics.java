package dev.dynamo4j.metrics;


import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.network.IngressMetrics;
import dev.dynamo4j.spi.network.RequestPlane;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * One runtime's metrics, on Prometheus's own Java client ({@code io.prometheus:prometheus-metrics-*},
 * chosen over Micrometer: no facade between the counters and the exposition, and Micrometer 1.17
 * pins an older client): a {@link PrometheusRegistry} holding
 *
 * <ul>
 *   <li>Dynamo's work-handler families per served endpoint, with Dynamo's names and automatic
 *       labels: {@code dynamo_component_requests_total}, {@code _request_duration_seconds}
 *       (histogram, Prometheus's default buckets), {@code _inflight_requests}, {@code
 *       _request_bytes_total}, {@code _response_bytes_total}, {@code _errors_total{error_type}};
 *   <li>the runtime's {@code dynamo_component_uptime_seconds};
 *   <li>any {@link Source} registered by a part of the runtime (event plane, discovery, request
 *       plane), named {@code dynamo4j_*} in the same style.
 * </ul>
 *
 * <p>Nothing here runs on the request path: endpoints count with adders ({@link IngressMetrics})
 * and the families are built from them when {@link #scrape scraped}, so labels follow the current
 * instance id. Users may register their own collectors in {@link #registry()}. Thread-safe.
 */
public final class RuntimeMetrics {
  /** One served endpoint as the metrics see it. */
  public record EndpointSample(String namespace, String component, String endpoint, long instanceId, IngressMetrics metrics) {}

  /** A part of the runtime that reports metric families when scraped. */
  @FunctionalInterface
  public interface Source {
    /** Adds this part's families to {@code out}; called on the scraping thread. */
    void collect(List<MetricSnapshot> out);
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final long startNanos = System.nanoTime();
  private final List<Source> sources = new CopyOnWriteArrayList<>();
  private final ExpositionFormats formats = ExpositionFormats.init();

  /**
   * @param endpoints the endpoints this runtime serves at the time of a scrape
   */
  public RuntimeMetrics(Supplier<Collection<EndpointSample>> endpoints) {
    registry.register((MultiCollector) () -> collect(endpoints.get()));
  }

  /** The registry behind {@code /metrics}; register your own metrics here. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Adds the event plane's counts (per subscriber: received, gaps, duplicates; per publisher:
   * published, dropped, failed), read from the suppliers at each scrape.
   */
  public void addEventSources(Supplier<Collection<EventSubscriber>> subscribers, Supplier<Collection<EventPublisher>> publishers) {
    addSource(new EventMetrics(subscribers, publishers));
  }

  /** Adds a part's families to every scrape. */
  public void addSource(Source source) {
    sources.add(source);
  }

  /** Seconds since this runtime started. */
  public double uptimeSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The labels of an endpoint's families, in Dynamo's order (sorted by name on output). */
  public static Labels endpointLabels(EndpointSample e) {
    List<String> names = new ArrayList<>(4);
    List<String> values = new ArrayList<>(4);
    add(names, values, PrometheusNames.NAMESPACE_LABEL, PrometheusNames.autoLabelValue(e.namespace()));
    add(names, values, PrometheusNames.COMPONENT_LABEL, PrometheusNames.autoLabelValue(e.component()));
    add(names, values, PrometheusNames.ENDPOINT_LABEL, PrometheusNames.autoLabelValue(e.endpoint()));
    add(names, values, PrometheusNames.WORKER_ID_LABEL, PrometheusNames.workerId(e.instanceId()));
    return Labels.of(names, values);
  }

  private static void add(List<String> names, List<String> values, String name, String value) {
    if (value != null) {
      names.add(name);
      values.add(value);
    }
  }

  private MetricSnapshots collect(Collection<EndpointSample> endpoints) {
    CounterSnapshot.Builder requests = CounterSnapshot.builder().name(component("requests"))
        .help("Total number of requests processed by work handler");
    HistogramSnapshot.Builder duration = HistogramSnapshot.builder().name(component("request_duration_seconds"))
        .help("Time spent processing requests by work handler");
    GaugeSnapshot.Builder inflight = GaugeSnapshot.builder().name(component("inflight_requests"))
        .help("Number of requests currently being processed by work handler");
    CounterSnapshot.Builder requestBytes = CounterSnapshot.builder().name(component("request_bytes"))
        .help("Total number of bytes received in requests by work handler");
    CounterSnapshot.Builder responseBytes = CounterSnapshot.builder().name(component("response_bytes"))
        .help("Total number of bytes sent in responses by work handler");
    CounterSnapshot.Builder errors = CounterSnapshot.builder().name(component("errors"))
        .help("Total number of errors in work handler processing");
    CounterSnapshot.Builder rejections = CounterSnapshot.builder().name(ours("endpoint_rejections"))
        .help("Requests refused with 'Server overloaded' because the worker pool was full");
    double[] bounds = withInfinity(IngressMetrics.DURATION_BUCKETS);
    Set<Labels> seen = new HashSet<>();
    for (EndpointSample e : endpoints) {
      Labels labels = endpointLabels(e);
      if (!seen.add(labels)) {
        continue; // the same endpoint served twice under one name: report it once
      }
      IngressMetrics m = e.metrics();
      requests.dataPoint(count(labels, m.requests()));
      duration.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
          .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, m.durationCounts())).sum(m.durationSum()).build());
      inflight.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(m.inflight()).build());
      requestBytes.dataPoint(count(labels, m.requestBytes()));
      responseBytes.dataPoint(count(labels, m.responseBytes()));
      rejections.dataPoint(count(labels, m.rejected()));
      for (String type : IngressMetrics.ERROR_TYPES) {
        errors.dataPoint(count(labels.add("error_type", type), m.errors(type)));
      }
    }
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(GaugeSnapshot.builder().name(component("uptime_seconds")).help("Total uptime of the DistributedRuntime in seconds")
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(uptimeSeconds()).build()).build());
    if (!seen.isEmpty()) {
      out.add(requests.build());
      out.add(duration.build());
      out.add(inflight.build());
      out.add(requestBytes.build());
      out.add(responseBytes.build());
      out.add(errors.build());
      out.add(rejections.build());
    }
    for (Source s : sources) {
      try {
        s.collect(out);
      } catch (RuntimeException ex) {
        LoggerFactory.getLogger(RuntimeMetrics.class).warn("a metrics source failed: {}", ex.toString());
      }
    }
    return new MetricSnapshots(out);
  }

  /**
   * Adds named figures as {@code dynamo4j_<prefix><name>} families with {@code labels}: a name
   * ending in {@code _total} becomes a counter (without the suffix, which the exposition adds),
   * any other a gauge.
   */
  public static void addFigures(List<MetricSnapshot> out, String prefix, Labels labels, Map<String, Long> figures, String help) {
    for (Map.Entry<String, Long> f : figures.entrySet()) {
      String name = f.getKey();
      if (name.endsWith("_total")) {
        out.add(CounterSnapshot.builder().name(ours(prefix + name.substring(0, name.length() - "_total".length())))
            .help(help + name.replace('_', ' '))
            .dataPoint(count(labels, f.getValue())).build());
      } else {
        out.add(GaugeSnapshot.builder().name(ours(prefix + name)).help(help + name.replace('_', ' '))
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(f.getValue()).build()).build());
      }
    }
  }

  /** Adds {@code dynamo4j_<prefix><name>} histogram families with {@code labels}. */
  public static void addHistograms(List<MetricSnapshot> out, String prefix, Labels labels,
      Map<String, RequestPlane.Histogram> histograms, String help) {
    for (Map.Entry<String, RequestPlane.Histogram> h : histograms.entrySet()) {
      RequestPlane.Histogram v = h.getValue();
      double[] bounds = withInfinity(v.upperBounds());
      out.add(HistogramSnapshot.builder().name(ours(prefix + h.getKey())).help(help + h.getKey().replace('_', ' '))
          .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
              .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, v.counts())).sum(v.sum()).build())
          .build());
    }
  }

  /** A counter's data point. */
  static CounterSnapshot.CounterDataPointSnapshot count(Labels labels, double value) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  /** Histogram upper bounds with the {@code +Inf} bucket added. */
  static double[] withInfinity(double[] bounds) {
    double[] all = Arrays.copyOf(bounds, bounds.length + 1);
    all[bounds.length] = Double.POSITIVE_INFINITY;
    return all;
  }

  /** {@code dynamo_component_<name>}. */
  public static String component(String name) {
    return PrometheusNames.COMPONENT_PREFIX + "_" + PrometheusNames.sanitizeName(name);
  }

  /** {@code dynamo4j_<name>}, for what dynamo4j measures beyond Dynamo. */
  public static String ours(String name) {
    return PrometheusNames.DYNAMO4J_PREFIX + "_" + PrometheusNames.sanitizeName(name);
  }

  /**
   * Writes every family in the format the {@code Accept} header asks for (OpenMetrics when it
   * names {@code application/openmetrics-text}, else Prometheus text 0.0.4) and returns its
   * content type.
   */
  public String scrape(String accept, OutputStream out) throws IOException {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (!writer.isAvailable()) {
      writer = formats.getPrometheusTextFormatWriter(); // the protobuf format needs a library we do not ship
    }
    writer.write(out, registry.scrape());
    return writer.getContentType();
  }

  /** The Prometheus text of every family (what {@code GET /metrics} answers without an Accept header). */
  public String text() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      formats.getPrometheusTextFormatWriter().write(b, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
