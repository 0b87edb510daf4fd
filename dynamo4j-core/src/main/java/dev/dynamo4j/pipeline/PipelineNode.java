package dev.dynamo4j.pipeline;

import java.util.Objects;

/**
 * Transforms values in one direction (the request path or the response path) with a function;
 * an exception from the function propagates to the sender.
 */
public final class PipelineNode<In, Out> implements Sink<In>, Source<Out> {
  /** The transformation of a node; may throw. */
  @FunctionalInterface
  public interface MapFn<In, Out> {
    Out apply(In in) throws Exception;
  }

  private final MapFn<In, Out> fn;
  private final EdgeCell<Out> edge = new EdgeCell<>("PipelineNode");

  private PipelineNode(MapFn<In, Out> fn) {
    this.fn = Objects.requireNonNull(fn, "fn");
  }

  public static <In, Out> PipelineNode<In, Out> create(MapFn<In, Out> fn) {
    return new PipelineNode<>(fn);
  }

  @Override
  public void onData(In data) {
    Out out;
    try {
      out = fn.apply(data);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new PipelineException(PipelineException.Kind.Generic, "node failed: " + e, e);
    }
    edge.get().write(out);
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
