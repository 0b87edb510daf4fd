package dev.dynamo4j.engine;

import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * The requests of one bidirectional call ({@code many_in}) as its engine receives them: the
 * caller's items in order, as they arrive (see {@link dev.dynamo4j.runtime.Endpoint#serveStreaming}).
 * It is the input side of a call, where {@link ResponseStream} is the output side; the engine
 * answers with a {@link ResponseStream} of its own, often made from this one ({@link #map}).
 *
 * <p>Reading: {@link #iterator()} (or a for-each loop) blocks until the caller's next item
 * arrives, which is meant for virtual threads (the engine's). Items the caller sent ahead wait
 * in the transport's buffer for the stream (its flow-control window), so a slow engine slows the
 * caller's sending, never growing memory. The stream ends after the caller's last item; a caller
 * that stops ends it early (its controller is then stopped); a caller that kills the call, or
 * whose connection breaks, makes the next read fail with a {@link
 * dev.dynamo4j.error.DynamoException} ({@code Disconnected}) after the items that came before.
 * One reader: a second {@code iterator()} fails with {@link IllegalStateException}.
 *
 * @param <T> the request type the endpoint was served with
 */
public final class RequestStream<T> implements Iterable<T> {
  private final ResponseStream<T> items;

  private RequestStream(ResponseStream<T> items) {
    this.items = items;
  }

  /**
   * The requests read from {@code items} (what a transport's reader delivers); also how a test
   * or an in-process pipeline hands an engine its input.
   */
  public static <T> RequestStream<T> of(ResponseStream<T> items) {
    return new RequestStream<>(items);
  }

  /** The call's controller: the same one the engine's {@link Context} holds. */
  public Controller controller() {
    return items.controller();
  }

  @Override
  public Iterator<T> iterator() {
    return items.iterator();
  }

  /** Blocks until the caller's last item and returns them all; a failure is thrown after draining. */
  public List<T> toList() {
    return items.toList();
  }

  /** An answer made of one item per request, produced as the requests arrive. */
  public <U> ResponseStream<U> map(Function<? super T, ? extends U> f) {
    return items.map(f);
  }

  /** Stops reading: the rest is not wanted (the caller is told to stop sending). */
  public void close() {
    items.close();
  }
}
