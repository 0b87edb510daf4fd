package dev.dynamo4j.pipeline;

import java.util.concurrent.atomic.AtomicReference;

/** A set-once holder for a node's edge: linking twice is {@code EdgeAlreadySet}, using it unset is {@code NoEdge}. */
final class EdgeCell<T> {
  private final AtomicReference<Edge<T>> edge = new AtomicReference<>();
  private final String owner;

  EdgeCell(String owner) {
    this.owner = owner;
  }

  void set(Edge<T> e) {
    if (!edge.compareAndSet(null, e)) {
      throw new PipelineException(PipelineException.Kind.EdgeAlreadySet, owner + " is already linked");
    }
  }

  Edge<T> get() {
    Edge<T> e = edge.get();
    if (e == null) {
      throw new PipelineException(PipelineException.Kind.NoEdge, owner + " has no edge linked");
    }
    return e;
  }

  boolean isSet() {
    return edge.get() != null;
  }
}
