package dev.dynamo4j.pipeline;

import java.util.Objects;

/**
 * Transforms values in one direction (the request path or the response path) with a function;
 * an exception from the function propagates to the sender.
 */
public final class PipelineNode<In, Out> extends Stage<In, Out> {
  /** The transformation of a node; may throw. */
  @FunctionalInterface
  public interface MapFn<In, Out> {
    Out apply(In in) throws Exception;
  }

  private final MapFn<In, Out> fn;

  private PipelineNode(MapFn<In, Out> fn) {
    super("PipelineNode");
    this.fn = Objects.requireNonNull(fn, "fn");
  }

  public static <In, Out> PipelineNode<In, Out> create(MapFn<In, Out> fn) {
    return new PipelineNode<>(fn);
  }

  @Override
  Out apply(In in) throws Exception {
    return fn.apply(in);
  }
}
