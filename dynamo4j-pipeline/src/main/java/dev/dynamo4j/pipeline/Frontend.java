package dev.dynamo4j.pipeline;

import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.PipelineIO;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The entry and exit of a pipeline: an engine whose {@code generate} pushes the request down its
 * edge and waits for the response to come back to its sink side, matched by request id.
 *
 * <p>Each call registers a slot keyed by the request id and owned by that call, so a duplicate
 * id can never complete or remove another call's slot. A response with no slot waiting is a
 * {@code DetachedStreamReceiver} error and that response is stopped. {@code generate} blocks
 * (on virtual threads) until its response arrives.
 */
public class Frontend<In extends PipelineIO, Out extends PipelineIO>
    implements AsyncEngine<In, Out>, Source<In>, Sink<Out> {

  private final EdgeCell<In> edge = new EdgeCell<>(getClass().getSimpleName());
  private final Map<String, Slot<Out>> slots = new ConcurrentHashMap<>();

  private record Slot<O>(CompletableFuture<O> future) {}

  @Override
  public Out generate(In request) throws Exception {
    Slot<Out> slot = new Slot<>(new CompletableFuture<>());
    String id = request.id();
    Slot<Out> previous = slots.putIfAbsent(id, slot);
    if (previous != null) {
      throw new PipelineException(
          PipelineException.Kind.Generic, "a request with id " + id + " is already in flight");
    }
    try {
      edge.get().write(request);
      return slot.future().get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (CancellationException e) {
      throw new PipelineException(PipelineException.Kind.DetachedStreamSender, "request " + id + " was abandoned", e);
    } finally {
      slots.remove(id, slot);
    }
  }

  @Override
  public void onNext(In data) {
    edge.get().write(data);
  }

  @Override
  public void setEdge(Edge<In> e) {
    edge.set(e);
  }

  @Override
  public void onData(Out response) {
    Slot<Out> slot = slots.get(response.id());
    if (slot == null || !slot.future().complete(response)) {
      if (response instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a detached response is best effort; the error below reports the problem
        }
      }
      throw new PipelineException(
          PipelineException.Kind.DetachedStreamReceiver, "no caller is waiting for response " + response.id());
    }
  }
}
