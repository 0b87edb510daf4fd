package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.AsyncEngine;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The placeholder where a pipeline crosses to another segment (over the network, usually a
 * {@code Client}): requests go to the engine {@link #attach attached} later, responses come back
 * up the response path. A request before {@code attach} fails with {@code NoEdge}.
 */
public final class SegmentSink<In, Out> extends Stage<In, Out> {
  private final AtomicReference<AsyncEngine<In, Out>> engine = new AtomicReference<>();

  private SegmentSink() {
    super("SegmentSink");
  }

  public static <In, Out> SegmentSink<In, Out> create() {
    return new SegmentSink<>();
  }

  /**
   * Attaches the engine that serves this segment.
   *
   * @throws PipelineException of kind {@code EdgeAlreadySet} on a second attach
   */
  public void attach(AsyncEngine<In, Out> e) {
    if (!engine.compareAndSet(null, e)) {
      throw new PipelineException(PipelineException.Kind.EdgeAlreadySet, "SegmentSink already has an engine attached");
    }
  }

  @Override
  Out apply(In request) throws Exception {
    AsyncEngine<In, Out> e = engine.get();
    if (e == null) {
      throw new PipelineException(PipelineException.Kind.NoEdge, "SegmentSink has no engine attached");
    }
    return e.generate(request);
  }
}
