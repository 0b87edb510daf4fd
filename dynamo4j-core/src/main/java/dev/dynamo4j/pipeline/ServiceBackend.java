package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.AsyncEngine;
import java.util.Objects;

/**
 * Ends the request path of a pipeline: calls the engine for each request and sends its response
 * up the response path. Runs on the caller's thread; an engine failure propagates to it.
 */
public final class ServiceBackend<In, Out> implements Sink<In>, Source<Out> {
  private final AsyncEngine<In, Out> engine;
  private final EdgeCell<Out> edge = new EdgeCell<>("ServiceBackend");

  private ServiceBackend(AsyncEngine<In, Out> engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  public static <In, Out> ServiceBackend<In, Out> fromEngine(AsyncEngine<In, Out> engine) {
    return new ServiceBackend<>(engine);
  }

  @Override
  public void onData(In request) {
    Out response;
    try {
      response = engine.generate(request);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new PipelineException(PipelineException.Kind.Generic, "engine failed: " + e, e);
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
