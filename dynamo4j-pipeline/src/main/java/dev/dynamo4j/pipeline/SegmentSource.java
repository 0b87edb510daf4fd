package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.PipelineIO;

/** The {@link Frontend} that starts a segment on the far side of a network boundary (the ingress). */
public final class SegmentSource<In extends PipelineIO, Out extends PipelineIO> extends Frontend<In, Out> {
  public static <In extends PipelineIO, Out extends PipelineIO> SegmentSource<In, Out> create() {
    return new SegmentSource<>();
  }
}
