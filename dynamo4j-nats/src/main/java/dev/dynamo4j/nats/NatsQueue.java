package dev.dynamo4j.nats;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.Slug;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.PurgeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A JetStream work queue (Dynamo's {@code NatsQueue}): stream {@code slugify(name)} with subjects
 * {@code <stream>.*}, messages published to {@code <stream>.queue}, read through a durable pull
 * consumer. The default consumer {@value #WORKER_GROUP} is shared, so workers compete; a consumer
 * of its own name per reader makes a broadcast. Stream age limit {@code DYN_NATS_STREAM_MAX_AGE}
 * (3600 s), replicas {@code NATS_JETSTREAM_REPLICAS} (1).
 *
 * <p>Two ways to take a message: {@link #dequeue} acknowledges it before returning it, as Dynamo
 * does (a worker that crashes afterwards loses it); {@link #dequeueExplicit} returns a {@link
 * Delivery} the caller acknowledges, rejects or extends: at-least-once, an unacknowledged message
 * is delivered again after the ack wait.
 *
 * <p>Threads: every method blocks the calling thread (call from a virtual thread) and is safe to
 * call concurrently; nothing is buffered client-side beyond the one message a dequeue pulls, the
 * backlog lives in the stream. Failures: {@code Unavailable} when the server or JetStream refuses,
 * {@code Cancelled} when the calling thread is interrupted. {@link #close} deletes this reader's
 * consumer (as Dynamo's shutdown does); the stream and its messages stay. With the shared
 * {@value #WORKER_GROUP} consumer that removes it for every worker of the group, so only the
 * last worker should close; the others simply stop dequeuing.
 */
public final class NatsQueue implements AutoCloseable {
  public static final String WORKER_GROUP = "worker-group";
  public static final String QUEUE_SUBJECT = "queue";

  private final Connection nc;
  private final JetStreamManagement jsm;
  private final JetStream js;
  private final String stream;
  private final String consumer;
  private final ConsumerContext consumerContext;

  /**
   * Opens (creating if needed) the stream and, unless {@code consumer} is {@code null}, the durable
   * consumer.
   *
   * @param ackWait how long an explicit-mode delivery may go unacknowledged before redelivery
   * @throws DynamoException {@code Unavailable} "JetStream not available: ..." without JetStream
   */
  public NatsQueue(Connection nc, String name, String consumer, Duration maxAge, int replicas, Duration ackWait) {
    NatsConnections.requireJetStream(nc);
    this.nc = nc;
    this.stream = Slug.slugify(name);
    this.consumer = consumer;
    try {
      this.jsm = nc.jetStreamManagement();
      this.js = nc.jetStream();
      try {
        jsm.getStreamInfo(stream);
      } catch (JetStreamApiException missing) {
        jsm.addStream(StreamConfiguration.builder()
            .name(stream)
            .subjects(stream + ".*")
            .maxAge(maxAge)
            .replicas(replicas)
            .storageType(StorageType.File)
            .build());
      }
      if (consumer != null) {
        jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder()
            .durable(consumer)
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(ackWait)
            .inactiveThreshold(Duration.ofSeconds(3600))
            .build());
        this.consumerContext = nc.getStreamContext(stream).getConsumerContext(consumer);
      } else {
        this.consumerContext = null;
      }
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot open JetStream queue " + stream + ": " + e.getMessage(), e);
    }
  }

  /** A queue with Dynamo's defaults read from the environment ({@code DYN_NATS_STREAM_MAX_AGE}, {@code NATS_JETSTREAM_REPLICAS}). */
  public static NatsQueue open(Connection nc, String name, String consumer, Map<String, String> env) {
    long maxAge = NatsSettings.STREAM_MAX_AGE.read(env);
    long replicas = NatsSettings.JETSTREAM_REPLICAS.read(env);
    return new NatsQueue(nc, name, consumer, Duration.ofSeconds(maxAge), (int) replicas, Duration.ofSeconds(30));
  }

  /** The shortest wait a dequeue uses (a limit of jnats' pull consumer). */
  public static final Duration MIN_WAIT = Duration.ofSeconds(1);

  public String stream() {
    return stream;
  }

  /** Publishes to {@code <stream>.queue}; returns the stream sequence. */
  public long enqueue(byte[] payload) {
    try {
      return js.publish(stream + "." + QUEUE_SUBJECT, payload).getSeqno();
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot publish to " + stream + ": " + e.getMessage(), e);
    }
  }

  /** Publishes {@code value} as JSON. */
  public long enqueueJson(Object value) {
    return enqueue(Json.toBytes(value));
  }

  /**
   * Dynamo's mode: the next message, acknowledged before it is returned (the server has confirmed
   * the ack, so a purge of acknowledged messages right after sees it); empty on timeout.
   */
  public Optional<byte[]> dequeue(Duration timeout) {
    return dequeueExplicit(timeout).map(d -> {
      d.ackSync(ACK_CONFIRM_TIMEOUT);
      return d.data();
    });
  }

  private static final Duration ACK_CONFIRM_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The next message, unacknowledged; empty on timeout.
   *
   * <p>jnats' pull API rejects waits under one second, so a shorter {@code timeout} is raised to
   * {@link #MIN_WAIT}: an empty queue answers after one second at the soonest.
   */
  public Optional<Delivery> dequeueExplicit(Duration timeout) {
    if (consumerContext == null) {
      throw new DynamoException(ErrorType.InvalidArgument, "queue " + stream + " was opened without a consumer");
    }
    try {
      Message m = consumerContext.next(timeout.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : timeout);
      return m == null ? Optional.empty() : Optional.of(new Delivery(m));
    } catch (IOException | JetStreamApiException | JetStreamStatusCheckedException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot read from " + stream + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DynamoException(ErrorType.Cancelled, "interrupted while reading " + stream, e);
    }
  }

  /** One delivered message in explicit-ack mode. */
  public static final class Delivery {
    private final Message message;

    Delivery(Message message) {
      this.message = message;
    }

    public byte[] data() {
      return message.getData() == null ? new byte[0] : message.getData();
    }

    public long streamSequence() {
      return message.metaData().streamSequence();
    }

    /**
     * Done: never delivered again. Fire and forget: the ack is sent with the connection's next
     * flush, and a lost ack means one more delivery, never a lost message.
     */
    public void ack() {
      message.ack();
    }

    /**
     * Done, confirmed: returns once the server has recorded the ack.
     *
     * @throws DynamoException {@code Unavailable} when the server did not confirm within {@code timeout}
     *     (the message may then be delivered again)
     */
    public void ackSync(Duration timeout) {
      try {
        message.ackSync(timeout);
      } catch (TimeoutException e) {
        throw new DynamoException(ErrorType.Unavailable, "ack of #" + streamSequence() + " not confirmed within " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DynamoException(ErrorType.Cancelled, "interrupted while acknowledging #" + streamSequence(), e);
      }
    }

    /** Failed: deliver again (to any consumer of the group). */
    public void nak() {
      message.nak();
    }

    /** Still working: restart the ack wait. */
    public void inProgress() {
      message.inProgress();
    }

    /** Poison: never deliver again, without acknowledging. */
    public void term() {
      message.term();
    }
  }

  /** Messages this queue's consumer has yet to deliver. */
  public long pending() {
    return info(consumer).getNumPending();
  }

  /** Messages the stream holds. */
  public long streamMessages() {
    try {
      return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot read stream " + stream + ": " + e.getMessage(), e);
    }
  }

  public List<String> consumers() {
    try {
      return jsm.getConsumerNames(stream);
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot list consumers of " + stream + ": " + e.getMessage(), e);
    }
  }

  public int consumerCount() {
    return consumers().size();
  }

  private ConsumerInfo info(String name) {
    try {
      return jsm.getConsumerInfo(stream, name);
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot read consumer " + name + " of " + stream + ": " + e.getMessage(), e);
    }
  }

  /** Removes the messages with a sequence below {@code sequence}. */
  public void purgeUpToSequence(long sequence) {
    try {
      jsm.purgeStream(stream, PurgeOptions.builder().sequence(sequence).build());
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot purge " + stream + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes what every consumer has acknowledged: up to and including the lowest ack floor among
   * consumers whose floor is above 0 (consumers that acknowledged nothing are skipped, as Dynamo does).
   */
  public void purgeAcknowledged() {
    long min = Long.MAX_VALUE;
    for (String c : consumers()) {
      long floor = info(c).getAckFloor().getStreamSequence();
      if (floor > 0) {
        min = Math.min(min, floor);
      }
    }
    if (min != Long.MAX_VALUE) {
      purgeUpToSequence(min + 1);
    }
  }

  /** Deletes another consumer of this stream; the queue stays open. */
  public void deleteConsumer(String name) {
    try {
      jsm.deleteConsumer(stream, name);
    } catch (IOException | JetStreamApiException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot delete consumer " + name + " of " + stream + ": " + e.getMessage(), e);
    }
  }

  /** Deletes this queue's own durable consumer (Dynamo's {@code shutdown(None)}). */
  @Override
  public void close() {
    if (consumer != null) {
      try {
        jsm.deleteConsumer(stream, consumer);
      } catch (IOException | JetStreamApiException e) {
        // already gone (another member of the group deleted it): nothing to do
      }
    }
  }
}
