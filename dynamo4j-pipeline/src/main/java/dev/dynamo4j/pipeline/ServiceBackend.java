package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.AsyncEngine;
import java.util.Objects;

/**
 * Ends the request path of a pipeline: calls the engine for each request and sends its response
 * up the response path. Runs on the caller's thread; an engine failure propagates to it.
 */
public final class ServiceBackend<In, Out> extends Stage<In, Out> {
  private final AsyncEngine<In, Out> engine;

  private ServiceBackend(AsyncEngine<In, Out> engine) {
    super("ServiceBackend");
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  public static <In, Out> ServiceBackend<In, Out> fromEngine(AsyncEngine<In, Out> engine) {
    return new ServiceBackend<>(engine);
  }

  @Override
  Out apply(In request) throws Exception {
    return engine.generate(request);
  }
}
