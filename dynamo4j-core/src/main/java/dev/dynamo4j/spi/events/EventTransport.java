package dev.dynamo4j.spi.events;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.wire.EventEnvelope;
import java.time.Duration;
import java.util.Collection;

/**
 * How events travel (SPI): a publication sends envelopes to the subscribers of one scope and
 * topic; a subscription receives the envelopes of every publisher of that scope and topic,
 * decoded and validated once, by the transport.
 *
 * <p>Transports are lossy where their medium is (ZMQ PUB drops for a subscriber past its
 * high-water mark unless told to wait; NATS drops for a slow consumer): a send never blocks the
 * publisher for longer than the transport was configured to wait. The publisher counts what its
 * transport dropped, subscribers count what never arrived ({@link GapTracker}). A transport that
 * needs discovery (ZMQ direct mode registers one {@code EventChannel} record per publication)
 * gets it at creation.
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

  /**
   * One publisher's outlet. {@link #send} is called by one thread at a time, in sequence order
   * ({@link EventPublisher} guarantees both), so a transport needs no lock of its own for it.
   */
  interface Publication extends AutoCloseable {
    /**
     * Sends one envelope, encoded as the transport's wire wants it.
     *
     * @return false when the transport dropped it (a subscriber at its limit, past the configured
     *     wait); the publisher counts those
     * @throws dev.dynamo4j.error.DynamoException when the transport is broken or the publication
     *     closed (not when a subscriber is slow)
     */
    boolean send(EventEnvelope envelope);

    /** Stops publishing and withdraws any discovery record. */
    @Override
    void close();
  }

  /**
   * Envelopes of the subscribed scope and topic, from every publisher, in arrival order per
   * publisher; each was decoded and validated once by the transport (what fails is dropped,
   * logged and counted in {@link #malformed}). One reader at a time.
   */
  interface Subscription extends AutoCloseable {
    /** Blocks for the next envelope; {@code null} once closed. */
    EventEnvelope next() throws InterruptedException;

    /** As {@link #next()}, giving up after {@code timeout} with {@code null}. */
    EventEnvelope poll(Duration timeout) throws InterruptedException;

    /**
     * Moves up to {@code max} envelopes that are already waiting into {@code sink}, without
     * blocking; returns how many. Lets a reader take a burst with one hand-off.
     */
    default int drainTo(Collection<? super EventEnvelope> sink, int max) throws InterruptedException {
      int n = 0;
      EventEnvelope e;
      while (n < max && (e = poll(Duration.ZERO)) != null) {
        sink.add(e);
        n++;
      }
      return n;
    }

    /** Messages dropped so far because they were not valid events (logged as they happen). */
    default long malformed() {
      return 0;
    }

    /** Publishers this subscription is connected to right now (transports that connect per publisher). */
    default int connectedPublishers() {
      return -1;
    }

    @Override
    void close();
  }
}
