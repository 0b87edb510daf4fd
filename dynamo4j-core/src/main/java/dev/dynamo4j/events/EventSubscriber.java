package dev.dynamo4j.events;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.PayloadCodec;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Receives the events of one topic in one scope from every publisher. The transport decodes and
 * validates each envelope once (what fails is dropped with a warning and counted in {@link
 * #malformed}); envelopes whose topic is not the subscribed one are skipped. Every event is
 * accounted for per publisher ({@link #stats()}): gaps are counted (and reported to the gap
 * listener, on the reading thread), duplicates are counted and dropped.
 *
 * <p>Buffering: the transport's bounded queue (ZMQ: 1024 envelopes, then the socket's RCVHWM;
 * NATS: the connection's pending limits), from which a reader takes whole bursts at once (up to
 * {@value #BATCH} envelopes kept here). A reader slower than the publishers makes the transport
 * drop, and the drops show up here as gaps: counted, never silent, never unbounded memory.
 *
 * <p>One reader at a time; {@link #close()} from any thread ends a blocked {@link #next()}.
 */
public final class EventSubscriber implements AutoCloseable {
  static final int BATCH = 256;

  private final EventScope scope;
  private final String topic;
  private final PayloadCodec codec;
  private final EventTransport.Subscription subscription;
  private final GapTracker tracker = new GapTracker();
  private final ArrayDeque<EventEnvelope> batch = new ArrayDeque<>(BATCH);
  private final long[] gap = new long[1];
  private volatile GapListener gapListener;

  /** Told about a gap: the publisher, the sequence that arrived, and how many were missing before it. */
  @FunctionalInterface
  public interface GapListener {
    void onGap(long publisherId, long sequence, long missing);
  }

  EventSubscriber(EventTransport transport, EventScope scope, String topic, PayloadCodec codec) {
    this.scope = scope;
    this.topic = topic;
    this.codec = codec;
    this.subscription = transport.subscribe(scope, topic);
  }

  public static EventSubscriber create(EventTransport transport, EventScope scope, String topic, PayloadCodec codec) {
    return new EventSubscriber(transport, scope, topic, codec);
  }

  public EventScope scope() {
    return scope;
  }

  public String topic() {
    return topic;
  }

  public void onGap(GapListener listener) {
    this.gapListener = listener;
  }

  /** Blocks for the next event; {@code null} once closed. */
  public ReceivedEvent next() throws InterruptedException {
    return poll(null);
  }

  /** As {@link #next()}, giving up after {@code timeout} ({@code null} = wait forever). */
  public ReceivedEvent poll(Duration timeout) throws InterruptedException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    while (true) {
      EventEnvelope env = batch.poll();
      if (env == null) {
        if (timeout == null) {
          env = subscription.next();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          env = subscription.poll(Duration.ofNanos(left));
        }
        if (env == null) {
          return null;
        }
        subscription.drainTo(batch, BATCH); // the rest of the burst, with one hand-off
      }
      if (!env.topic().equals(topic)) {
        continue; // another topic on a transport without exact filtering
      }
      switch (tracker.observe(env.publisherId(), env.sequence(), gap)) {
        case DUPLICATE -> {
          continue;
        }
        case DELIVER_AFTER_GAP -> {
          GapListener l = gapListener;
          if (l != null) {
            l.onGap(env.publisherId(), env.sequence(), gap[0]);
          }
        }
        case DELIVER -> {}
      }
      return new ReceivedEvent(env, codec);
    }
  }

  /** Received, gaps, duplicates and publishers seen so far. */
  public Stats stats() {
    return tracker.stats();
  }

  /** Messages the transport dropped because they were not valid events. */
  public long malformed() {
    return subscription.malformed();
  }

  /** Publishers the transport is connected to now, or -1 when the transport does not connect per publisher. */
  public int connectedPublishers() {
    return subscription.connectedPublishers();
  }

  @Override
  public void close() {
    closed = true;
    subscription.close();
  }

  private volatile boolean closed;

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * What a subscriber has seen so far (kept per subscriber; see the class comment for gaps).
   *
   * @param received events delivered
   * @param gaps sequence numbers skipped
   * @param duplicates events dropped as already seen
   * @param publishers distinct publisher ids seen
   * @param jumps events far ahead of their publisher's count, delivered but not believed (see the
   *     class comment)
   */
  public record Stats(long received, long gaps, long duplicates, int publishers, long jumps) {
    public Stats(long received, long gaps, long duplicates, int publishers) {
      this(received, gaps, duplicates, publishers, 0);
    }
  }
}
