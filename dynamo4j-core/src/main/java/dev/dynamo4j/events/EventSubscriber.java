package dev.dynamo4j.events;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.WireFormatException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the events of one topic in one scope from every publisher, decoding envelopes on the
 * reading thread. Envelopes that do not decode, or whose topic is not the subscribed one, are
 * dropped with a warning and reading goes on. Every event is accounted for per publisher ({@link
 * #stats()}): gaps are counted (and reported to the gap listener, on the reading thread),
 * duplicates are counted and dropped.
 *
 * <p>One reader at a time; {@link #close()} from any thread ends a blocked {@link #next()}.
 */
public final class EventSubscriber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventSubscriber.class);

  private final EventScope scope;
  private final String topic;
  private final PayloadCodec codec;
  private final EventTransport.Subscription subscription;
  private final GapTracker tracker = new GapTracker();
  private volatile GapListener gapListener;
  private long malformed;

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
      byte[] bytes;
      if (timeout == null) {
        bytes = subscription.next();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        bytes = subscription.poll(Duration.ofNanos(left));
      }
      if (bytes == null) {
        return null;
      }
      EventEnvelope env;
      try {
        env = EventEnvelope.decode(bytes);
      } catch (WireFormatException e) {
        malformed++;
        log.warn("dropping an undecodable event on {}: {}", topic, e.getMessage());
        continue;
      }
      if (!env.topic().equals(topic)) {
        continue; // another topic on a transport without exact filtering
      }
      long[] gap = new long[1];
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
  public GapTracker.Stats stats() {
    return tracker.stats();
  }

  /** Envelopes dropped because they did not decode. */
  public long malformed() {
    return malformed;
  }

  /** Publishers the transport is connected to now, or -1 when the transport does not connect per publisher. */
  public int connectedPublishers() {
    return subscription.connectedPublishers();
  }

  @Override
  public void close() {
    subscription.close();
  }
}
