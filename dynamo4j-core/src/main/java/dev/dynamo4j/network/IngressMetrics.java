package dev.dynamo4j.network;

import java.util.List;

/**
 * Counters of one served endpoint, named after Dynamo's work-handler metrics ({@code
 * requests_total}, {@code request_duration_seconds}, {@code inflight_requests}, {@code
 * request_bytes_total}, {@code response_bytes_total}, {@code errors_total{error_type}}). Read-only
 * here: the worker's ingress updates them on the request path with adders only (no lock, no
 * allocation); they are read when metrics are scraped or the status page is asked for.
 */
public interface IngressMetrics {
  /** Upper bounds (seconds) of the duration histogram: Prometheus's default buckets, as Dynamo's. */
  double[] DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /** Every {@code error_type} value, in Dynamo's order. */
  List<String> ERROR_TYPES =
      List.of("deserialization", "invalid_message", "response_stream", "generate", "publish_response", "publish_final");

  /** The {@code error_type} label values. */
  String DESERIALIZATION = "deserialization";
  String INVALID_MESSAGE = "invalid_message";
  String RESPONSE_STREAM = "response_stream";
  String GENERATE = "generate";
  String PUBLISH_RESPONSE = "publish_response";
  String PUBLISH_FINAL = "publish_final";

  /** Handled requests per duration bucket (not cumulative; the last is above every bound). */
  long[] durationCounts();

  /** Sum of the handled requests' durations, in seconds. */
  double durationSum();

  /** Requests handled (admitted). */
  long requests();

  /** Requests refused with {@code Server overloaded} (the worker pool was full); not in {@link #requests()}. */
  long rejected();

  /** Requests being handled now. */
  long inflight();

  long requestBytes();

  long responseBytes();

  /** Errors of one {@code error_type}. */
  long errors(String type);
}
