package dev.dynamo4j.events;

import dev.dynamo4j.discovery.EventScope;
import java.time.Duration;

/**
 * How events travel (SPI): a publication sends envelope bytes to the subscribers of one scope
 * and topic; a subscription receives the envelope bytes of every publisher of that scope and
 * topic. Envelopes are opaque here ({@link dev.dynamo4j.wire.EventEnvelope} bytes).
 *
 * <p>Transports are lossy by design where their medium is (ZMQ PUB drops for a subscriber past
 * its high-water mark): a send never blocks the publisher. Subscribers count what was lost
 * ({@link GapTracker}). A transport that needs discovery (ZMQ direct mode registers one {@code
 * EventChannel} record per publication) gets it at creation.
 */
public interface EventTransport extends AutoCloseable {
  /** {@code zmq}, {@code nats}, {@code in_process}. */
  String name();

  /** Starts publishing under {@code publisherId}; the transport registers it where it must. */
  Publication publish(EventScope scope, String topic, long publisherId);

  /** Starts receiving every publisher of exactly this scope and topic. */
  Subscription subscribe(EventScope scope, String topic);

  @Override
  void close();

  /** One publisher's outlet. {@link #send} is thread-safe and never blocks on subscribers. */
  interface Publication extends AutoCloseable {
    /**
     * Sends one envelope. {@code publisherId} and {@code sequence} repeat what the envelope holds
     * (ZMQ puts them in their own frames).
     *
     * @throws dev.dynamo4j.error.DynamoException when the transport is broken (not when a
     *     subscriber is slow)
     */
    void send(long publisherId, long sequence, byte[] envelope);

    /** Stops publishing and withdraws any discovery record. */
    @Override
    void close();
  }

  /** Envelopes of the subscribed scope and topic, from every publisher, in arrival order per publisher. */
  interface Subscription extends AutoCloseable {
    /** Blocks for the next envelope; {@code null} once closed. */
    byte[] next() throws InterruptedException;

    /** As {@link #next()}, giving up after {@code timeout} with {@code null}. */
    byte[] poll(Duration timeout) throws InterruptedException;

    /** Publishers this subscription is connected to right now (transports that connect per publisher). */
    default int connectedPublishers() {
      return -1;
    }

    @Override
    void close();
  }
}
