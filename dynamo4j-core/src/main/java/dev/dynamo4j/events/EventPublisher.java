package dev.dynamo4j.events;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.PayloadCodec;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes events of one topic in one scope. Each publisher has a random 53-bit id (JSON-safe)
 * and a sequence counting from 0; every publish wraps the payload in an {@link EventEnvelope}
 * ({@code published_at} in Unix ms) and hands it to the transport, which never blocks on
 * subscribers. Thread-safe. {@link #close()} withdraws the publisher from discovery.
 */
public final class EventPublisher implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EventScope scope;
  private final String topic;
  private final long publisherId;
  private final PayloadCodec codec;
  private final EventTransport.Publication publication;
  private final AtomicLong sequence = new AtomicLong();

  EventPublisher(EventTransport transport, EventScope scope, String topic, PayloadCodec codec) {
    this.scope = scope;
    this.topic = topic;
    this.codec = codec;
    this.publisherId = EventEnvelope.maskPublisherId(RANDOM.nextLong());
    this.publication = transport.publish(scope, topic, publisherId);
  }

  /** A publisher on {@code transport}; payloads of {@link #publish} are encoded with {@code codec}. */
  public static EventPublisher create(EventTransport transport, EventScope scope, String topic, PayloadCodec codec) {
    return new EventPublisher(transport, scope, topic, codec);
  }

  public long publisherId() {
    return publisherId;
  }

  public EventScope scope() {
    return scope;
  }

  public String topic() {
    return topic;
  }

  /** Encodes {@code event} with the plane's codec and publishes it; returns its sequence. */
  public long publish(Object event) {
    return publishBytes(codec.encode(event));
  }

  /** Publishes raw payload bytes unchanged (not copied: do not modify them afterwards); returns the sequence. */
  public long publishBytes(byte[] payload) {
    long seq = sequence.getAndIncrement();
    byte[] envelope = new EventEnvelope(publisherId, seq, Math.max(0, System.currentTimeMillis()), topic, payload).encode();
    publication.send(publisherId, seq, envelope);
    return seq;
  }

  @Override
  public void close() {
    publication.close();
  }
}
