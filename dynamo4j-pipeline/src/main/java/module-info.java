/**
 * Pipelines: source, operator and sink nodes joined by set-once edges, built on core's {@code
 * engine} package alone. A segment's front ({@code ServiceFrontend}, {@code SegmentSource}) and back
 * ({@code ServiceBackend}, {@code SegmentSink}) are ordinary {@code AsyncEngine}s, so a segment
 * boundary is an endpoint served and called through the runtime like any other.
 */
module dev.dynamo4j.pipeline {
  requires transitive dev.dynamo4j.core;

  exports dev.dynamo4j.pipeline;
}
