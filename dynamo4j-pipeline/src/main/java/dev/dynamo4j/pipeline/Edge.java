package dev.dynamo4j.pipeline;

import java.util.Objects;

/** The link from a source to its downstream sink. */
public final class Edge<T> {
  private final Sink<T> sink;

  public Edge(Sink<T> sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  public void write(T data) {
    sink.onData(data);
  }

  public Sink<T> sink() {
    return sink;
  }
}
