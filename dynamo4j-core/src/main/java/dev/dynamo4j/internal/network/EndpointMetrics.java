package dev.dynamo4j.internal.network;

import dev.dynamo4j.network.IngressMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link IngressMetrics}: updated by {@link Ingress} and the route table, read by anyone. */
public final class EndpointMetrics implements IngressMetrics {
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
  @Override
  public long[] durationCounts() {
    long[] out = new long[durationCounts.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = durationCounts[i].sum();
    }
    return out;
  }

  /** Sum of the handled requests' durations, in seconds. */
  @Override
  public double durationSum() {
    return durationSum.sum();
  }

  void error(String type) {
    errors.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  @Override
  public long requests() {
    return requests.sum();
  }

  /** Requests refused with {@code Server overloaded} (the worker pool was full); not in {@link #requests()}. */
  @Override
  public long rejected() {
    return rejected.sum();
  }

  @Override
  public long inflight() {
    return inflight.get();
  }

  @Override
  public long requestBytes() {
    return requestBytes.sum();
  }

  @Override
  public long responseBytes() {
    return responseBytes.sum();
  }

  /** Errors of one {@code error_type}. */
  @Override
  public long errors(String type) {
    LongAdder a = errors.get(type);
    return a == null ? 0 : a.sum();
  }
}
