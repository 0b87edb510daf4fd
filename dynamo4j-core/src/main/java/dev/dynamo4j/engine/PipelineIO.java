package dev.dynamo4j.engine;

/** Anything that flows through a pipeline and belongs to one request: it knows the request id. */
public interface PipelineIO {
  /** The id of the request this value belongs to. */
  String id();
}
