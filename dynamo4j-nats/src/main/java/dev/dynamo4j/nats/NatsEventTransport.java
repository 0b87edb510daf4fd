package dev.dynamo4j.nats;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.EventChannelTransport.Nats;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.WireFormatException;
import io.nats.client.Connection;
import io.nats.client.Message;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NATS event plane ({@code DYN_EVENT_PLANE=nats}): each event is a NATS core publish of the
 * bare envelope to {@code namespace.<enc>[.component.<enc>[.endpoint.<enc>]].<enc(topic)>}; each
 * publisher registers {@code {"kind":"Nats","config":{"subject_prefix":...}}}. Subscribers
 * subscribe to the exact subject and read with {@code nextMessage} on their own thread (no
 * dispatcher hop). NATS may drop messages for a slow consumer (its pending limits); the
 * subscriber's gap accounting shows it. Publishing never blocks on subscribers: jnats buffers.
 */
public final class NatsEventTransport implements EventTransport {
  private static final Logger log = LoggerFactory.getLogger(NatsEventTransport.class);

  private final Connection nc;
  private final boolean ownsConnection;
  private final Discovery discovery;

  public NatsEventTransport(Connection nc, boolean ownsConnection, Discovery discovery) {
    this.nc = nc;
    this.ownsConnection = ownsConnection;
    this.discovery = discovery;
  }

  @Override
  public String name() {
    return "nats";
  }

  @Override
  public Publication publish(EventScope scope, String topic, long publisherId) {
    String subject = scope.subject(topic);
    DiscoveryInstance record = discovery.register(new DiscoverySpec.EventChannel(scope, topic, publisherId, new Nats(scope.subjectPrefix())));
    return new Publication() {
      private volatile boolean closed;

      @Override
      public boolean send(EventEnvelope envelope) {
        if (closed) {
          throw new DynamoException(ErrorType.Unavailable, "publisher " + Long.toHexString(envelope.publisherId()) + " is closed");
        }
        try {
          nc.publish(subject, envelope.encode());
          return true;
        } catch (IllegalStateException e) {
          throw new DynamoException(ErrorType.Unavailable, "NATS connection closed: " + e.getMessage(), e);
        }
      }

      @Override
      public void close() {
        if (closed) {
          return;
        }
        closed = true;
        try {
          discovery.unregister(record);
        } catch (RuntimeException e) {
          log.warn("could not withdraw NATS publisher of {}: {}", subject, e.toString());
        }
      }
    };
  }

  @Override
  public Subscription subscribe(EventScope scope, String topic) {
    // jnats's Subscription, named in full: ours (EventTransport.Subscription) is inherited here
    io.nats.client.Subscription sub = nc.subscribe(scope.subject(topic));
    try {
      // a round trip after SUB: when subscribe returns, the server delivers every later event
      nc.flush(Duration.ofSeconds(5));
    } catch (TimeoutException e) {
      // disconnected: jnats replays the SUB on reconnect; events before that are missed (counted as gaps)
      log.warn("subscription to {} not confirmed by the server within 5 s; continuing", scope.subject(topic));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sub.unsubscribe();
      throw new DynamoException(ErrorType.Cancelled, "interrupted while subscribing to " + scope.subject(topic), e);
    }
    return new EventTransport.Subscription() {
      private volatile boolean closed;
      private volatile long malformed;

      @Override
      public EventEnvelope next() throws InterruptedException {
        while (!closed) {
          EventEnvelope e = poll(Duration.ofMillis(250));
          if (e != null) {
            return e;
          }
        }
        return null;
      }

      @Override
      public EventEnvelope poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
          Message m;
          try {
            long left = deadline - System.nanoTime();
            // jnats: nextMessage(0) waits forever, so "nothing waiting" is asked for with 1 ns
            m = sub.nextMessage(Duration.ofNanos(Math.max(1, left)));
          } catch (IllegalStateException e) {
            return null; // unsubscribed or connection closed
          }
          if (m == null) {
            return null;
          }
          EventEnvelope e = decode(m.getData());
          if (e != null) {
            return e;
          }
          if (deadline - System.nanoTime() <= 0) {
            return null;
          }
        }
        return null;
      }

      /** Decoded once here, for the subscriber; a message that is not an envelope is dropped and counted. */
      private EventEnvelope decode(byte[] data) {
        try {
          return EventEnvelope.decode(data == null ? new byte[0] : data, 0, data == null ? 0 : data.length, topic);
        } catch (WireFormatException e) {
          malformed++;
          log.warn("dropping an undecodable event on {}: {}", topic, e.getMessage());
          return null;
        }
      }

      @Override
      public long malformed() {
        return malformed;
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          try {
            sub.unsubscribe();
          } catch (IllegalStateException e) {
            // already closed
          }
        }
      }
    };
  }

  @Override
  public void close() {
    if (ownsConnection) {
      try {
        nc.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
