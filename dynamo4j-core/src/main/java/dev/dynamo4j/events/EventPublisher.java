package dev.dynamo4j.events;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.PayloadCodec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events of one topic in one scope. Each publisher has a random 53-bit id (JSON-safe)
 * and a sequence counting from 0; every publish wraps the payload in an {@link EventEnvelope}
 * ({@code published_at} in Unix ms) and hands it to the transport.
 *
 * <p>Threads: {@link #publish} is thread-safe and takes no lock. Each call joins a lock-free
 * queue that assigns its sequence number in queue order; whichever caller finds nobody sending
 * sends everything queued, in order (so under contention one thread sends a batch and the others
 * return at once). Sequence numbers on the wire are therefore exact and increasing. A publish
 * waits only as long as the transport does (ZMQ: {@code DYN_ZMQ_SEND_TIMEOUT_MS}, 0 by default).
 * Events the transport dropped are counted ({@link #dropped}); subscribers see them as gaps.
 * Memory: the queue holds only events of callers still inside {@code publish}.
 * {@link #close()} withdraws the publisher from discovery.
 */
public final class EventPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long {@link #close} waits for a batch another thread is sending. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final VarHandle TAIL;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(EventPublisher.class, "tail", Node.class);
      NEXT = l.findVarHandle(Node.class, "next", Node.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One queued event; its sequence is fixed before it becomes the tail, so order = sequence. */
  private static final class Node {
    final long seq;
    final byte[] payload;
    final long publishedAt;
    volatile Node next;

    Node(long seq, byte[] payload, long publishedAt) {
      this.seq = seq;
      this.payload = payload;
      this.publishedAt = publishedAt;
    }
  }

  private final EventScope scope;
  private final String topic;
  private final long publisherId;
  private final PayloadCodec codec;
  private final EventTransport.Publication publication;
  private final AtomicBoolean sending = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private volatile Node tail = new Node(-1, null, 0); // sentinel: the next sequence is 0
  private Node head = tail; // the last node sent; only the thread holding `sending` moves it
  private volatile boolean closed;

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

  /**
   * Publishes raw payload bytes unchanged (not copied: do not modify them afterwards); returns the
   * sequence.
   *
   * @throws DynamoException {@code Unavailable} when this publisher is closed; a transport failure
   *     while sending (its connection broke) is thrown to the thread that was sending
   */
  public long publishBytes(byte[] payload) {
    if (closed) {
      throw new DynamoException(ErrorType.Unavailable, "publisher " + Long.toHexString(publisherId) + " of " + topic + " is closed");
    }
    long at = Math.max(0, System.currentTimeMillis());
    Node n;
    Node t;
    do {
      t = tail;
      n = new Node(t.seq + 1, payload, at);
    } while (!TAIL.compareAndSet(this, t, n));
    NEXT.setRelease(t, n);
    drain();
    return n.seq;
  }

  /** Sends what is queued if nobody else is sending; re-checks after letting go, so nothing is stranded. */
  private void drain() {
    while (sending.compareAndSet(false, true)) {
      try {
        sendQueued();
      } finally {
        sending.set(false);
      }
      if (head.next == null) {
        return; // a node linked after this check is sent by its own caller's drain()
      }
    }
  }

  /** Holding {@code sending}: sends every linked node after {@code head}, in order. */
  private void sendQueued() {
    Node h = head;
    Node n;
    while ((n = h.next) != null) {
      head = n;
      h = n;
      boolean delivered;
      try {
        delivered = publication.send(new EventEnvelope(publisherId, n.seq, n.publishedAt, topic, n.payload));
      } catch (RuntimeException e) {
        failed.increment(); // this event is lost (subscribers count a gap); the ones behind it stay queued
        throw e;
      }
      if (delivered) {
        sent.increment();
      } else {
        dropped.increment();
      }
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Events the transport sent. */
  public long sent() {
    return sent.sum();
  }

  /** Events the transport dropped (a subscriber at its limit past the configured wait): the gaps subscribers will count. */
  public long dropped() {
    return dropped.sum();
  }

  /**
   * Events whose send failed with a transport error (its connection broke; the error was thrown
   * to the thread that was sending, which may have published a later event): lost, so gaps too.
   */
  public long failed() {
    return failed.sum();
  }

  /**
   * Sends what is still queued, then stops: new publishes fail with {@code Unavailable}. Waits
   * up to 5 s for a thread that is sending a batch right now to finish it (so the transport is not
   * closed under a send), then closes the transport's publication.
   */
  @Override
  public void close() {
    closed = true;
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    boolean mine;
    while (!(mine = sending.compareAndSet(false, true)) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000); // another thread is sending a batch
    }
    if (mine) {
      try {
        sendQueued();
      } catch (RuntimeException e) {
        log.warn("publisher {} of {}: events queued at close not sent: {}", Long.toHexString(publisherId), topic, e.toString());
      }
      // `sending` stays taken: nothing sends through this publication again
    } else {
      // a send waits for a stuck subscriber (DYN_ZMQ_SEND_TIMEOUT_MS=-1): closing the transport ends it
      log.warn("publisher {} of {}: a send still waiting after {} ms; closing under it", Long.toHexString(publisherId), topic, CLOSE_WAIT.toMillis());
    }
    try {
      publication.close();
    } catch (RuntimeException e) {
      log.warn("closing publisher {} of {}: {}", Long.toHexString(publisherId), topic, e.toString());
    }
  }
}
