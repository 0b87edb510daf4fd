package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.PipelineIO;

/** The {@link Frontend} a service is called through. */
public final class ServiceFrontend<In extends PipelineIO, Out extends PipelineIO> extends Frontend<In, Out> {
  public static <In extends PipelineIO, Out extends PipelineIO> ServiceFrontend<In, Out> create() {
    return new ServiceFrontend<>();
  }
}
