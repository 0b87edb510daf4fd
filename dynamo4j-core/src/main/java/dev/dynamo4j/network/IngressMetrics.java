package dev.dynamo4j.network;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one served endpoint, named after Dynamo's work-handler metrics ({@code
 * requests_total}, {@code inflight_requests}, {@code request_bytes_total}, {@code
 * response_bytes_total}, {@code errors_total{error_type}}).
 */
public final class IngressMetrics {
  /** The {@code error_type} label values. */
  public static final String DESERIALIZATION = "deserialization";
  public static final String INVALID_MESSAGE = "invalid_message";
  public static final String RESPONSE_STREAM = "response_stream";
  public static final String GENERATE = "generate";
  public static final String PUBLISH_RESPONSE = "publish_response";
  public static final String PUBLISH_FINAL = "publish_final";

  final LongAdder requests = new LongAdder();
  final AtomicLong inflight = new AtomicLong();
  final LongAdder requestBytes = new LongAdder();
  final LongAdder responseBytes = new LongAdder();
  final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  void error(String type) {
    errors.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  public long requests() {
    return requests.sum();
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
