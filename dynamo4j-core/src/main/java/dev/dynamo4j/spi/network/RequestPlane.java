package dev.dynamo4j.spi.network;

import dev.dynamo4j.discovery.TransportType;
import java.util.Map;

/** A request transport: its shared server and its client, owned by one runtime. */
public interface RequestPlane extends AutoCloseable {
  /** Short name: {@code tcp}, {@code nats}, {@code in_process}. */
  String name();

  /** The process's server, started on first use. */
  RequestServer server();

  RequestClient client();

  /** True when this plane's client can send to {@code address}. */
  boolean canReach(TransportType address);

  /** The response plane callers of this plane use for their response streams. */
  ResponsePlane responsePlane();

  /**
   * Point-in-time figures of this plane for the metrics ({@code dynamo4j_request_plane_<name>}
   * gauges with a {@code plane} label), e.g. open connections; read when metrics are scraped,
   * must be cheap and thread-safe. None by default.
   */
  default Map<String, Long> gauges() {
    return Map.of();
  }

  /** A histogram as a plane keeps it: per-bucket counts (the last above every bound) and the sum. */
  record Histogram(double[] upperBounds, long[] counts, double sum) {}

  /**
   * Histograms of this plane for the metrics ({@code dynamo4j_request_plane_<name>{plane}}), e.g.
   * the ACK latency; read when metrics are scraped. None by default.
   */
  default Map<String, Histogram> histograms() {
    return Map.of();
  }

  @Override
  void close();
}
