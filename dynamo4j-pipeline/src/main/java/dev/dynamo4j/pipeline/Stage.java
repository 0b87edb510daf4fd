package dev.dynamo4j.pipeline;

/**
 * A node that turns each value it receives into one value it sends on: the shared body of
 * {@link PipelineNode}, {@link ServiceBackend} and {@link SegmentSink}. Runs on the sender's
 * thread; a failure of {@link #apply} propagates to the sender, checked exceptions wrapped as a
 * {@code Generic} {@link PipelineException}.
 */
abstract class Stage<In, Out> implements Sink<In>, Source<Out> {
  private final String name;
  private final EdgeCell<Out> edge;

  Stage(String name) {
    this.name = name;
    this.edge = new EdgeCell<>(name);
  }

  /** The value to send on for one input. */
  abstract Out apply(In in) throws Exception;

  @Override
  public final void onData(In data) {
    Out out;
    try {
      out = apply(data);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new PipelineException(PipelineException.Kind.Generic, name + " failed: " + e, e);
    }
    edge.get().write(out);
  }

  @Override
  public final void onNext(Out data) {
    edge.get().write(data);
  }

  @Override
  public final void setEdge(Edge<Out> e) {
    edge.set(e);
  }
}
