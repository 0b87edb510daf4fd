package dev.dynamo4j.pipeline;

/**
 * Emits values to exactly one downstream {@link Sink}, set once.
 *
 * <p>{@link #link} returns the sink it linked, so links chain:
 * {@code frontend.link(pre).link(backend).link(post).link(frontend)}.
 */
public interface Source<T> {
  /**
   * Pushes a value down the edge.
   *
   * @throws PipelineException of kind {@code NoEdge} when nothing is linked
   */
  void onNext(T data);

  /**
   * Sets the edge.
   *
   * @throws PipelineException of kind {@code EdgeAlreadySet} when already linked
   */
  void setEdge(Edge<T> edge);

  /** Links {@code sink} downstream and returns it. */
  default <S extends Sink<T>> S link(S sink) {
    setEdge(new Edge<>(sink));
    return sink;
  }
}
