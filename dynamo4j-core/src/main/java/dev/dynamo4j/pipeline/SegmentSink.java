package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.AsyncEngine;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The placeholder where a pipeline crosses to another segment (over the network, usually a
 * {@code Client}): requests go to the engine {@link #attach attached} later, responses come back
 * up the response path.
 */
public final class SegmentSink<In, Out> implements Sink<In>, Source<Out> {
  private final AtomicReference<AsyncEngine<In, Out>> engine = new AtomicReference<>();
  private final EdgeCell<Out> edge = new EdgeCell<>("SegmentSink");

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
  public void onData(In request) {
    AsyncEngine<In, Out> e = engine.get();
    if (e == null) {
      throw new PipelineException(PipelineException.Kind.NoEdge, "SegmentSink has no engine attached");
    }
    Out response;
    try {
      response = e.generate(request);
    } catch (RuntimeException ex) {
      throw ex;
    } catch (Exception ex) {
      throw new PipelineException(PipelineException.Kind.Generic, "segment engine failed: " + ex, ex);
    }
    edge.get().write(response);
  }

  @Override
  public void onNext(Out data) {
    edge.get().write(data);
  }

  @Override
  public void setEdge(Edge<Out> e) {
    edge.set(e);
  }
}
