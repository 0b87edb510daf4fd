package dev.dynamo4j.network;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one served endpoint, named after Dynamo's work-handler metrics ({@code
 * requests_total}, {@code request_duration_seconds}, {@code inflight_requests}, {@code
 * request_bytes_total}, {@code response_bytes_total}, {@code errors_total{error_type}}). Updated
 * on the request path with adders only (no lock, no allocation); read when metrics are scraped.
 */
public final class IngressMetrics {
  /** Upper bounds (seconds) of the duration histogram: Prometheus's default buckets, as Dynamo's. */
  public static final double[] DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /** Every {@code error_type} value, in Dynamo's order. */
  public static final List<String> ERROR_TYPES =
      List.of("deserialization", "invalid_message", "response_stream", "generate", "publish_response", "publish_final");

  /** The {@code error_type} label values. */
  public static final String DESERIALIZATION = "deserialization";
  public static final String INVALID_MESSAGE = "invalid_message";
  public static final String RESPONSE_STREAM = "response_stream";
  public static final String GENERATE = "generate";
  public static final String PUBLISH_RESPONSE = "publish_response";
  public static final String PUBLISH_FINAL = "publish_final";

  final LongAdder requests = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final AtomicLong inflight = new AtomicLong();
  final LongAdder requestBytes = new LongAdder();
  final LongAdder responseBytes = new LongAdder();
  final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  /** Per bucket (not cumulative), the last one for durations above every bound. */
  private final LongAdder[] durationCounts = new LongAdder[DURATION_BUCKETS.length + 1];
  private final DoubleAdder durationSum = new DoubleAdder();

  {
    for (int i = 0; i < durationCounts.length; i++) {
      durationCounts[i] = new LongAdder();
    }
  }

  /** Records one handled request that started at {@code startNanos} ({@link System#nanoTime}). */
  void observeSince(long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    int i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]) {
      i++;
    }
    durationCounts[i].increment();
    durationSum.add(seconds);
  }

  /** Handled requests per duration bucket (not cumulative; the last is above every bound). */
  public long[] durationCounts() {
    long[] out = new long[durationCounts.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = durationCounts[i].sum();
    }
    return out;
  }

  /** Sum of the handled requests' durations, in seconds. */
  public double durationSum() {
    return durationSum.sum();
  }

  void error(String type) {
    errors.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  public long requests() {
    return requests.sum();
  }

  /** Requests refused with {@code Server overloaded} (the worker pool was full); not in {@link #requests()}. */
  public long rejected() {
    return rejected.sum();
  }

  public long inflight() {
    return inflight.get();
  }

  public long requestBytes() {
    return requestBytes.sum();
  }

  public long responseBytes() {
    return responseBytes.sum();
  }

  /** Errors of one {@code error_type}. */
  public long errors(String type) {
    LongAdder a = errors.get(type);
    return a == null ? 0 : a.sum();
  }
}
