package dev.dynamo4j.internal.events;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.wire.EventEnvelope;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Events within one JVM: a bus keyed by {@link EventScope#subject(String)}, shared by every
 * instance; envelopes are handed over as objects (nothing to encode or validate). Each
 * subscription buffers {@code capacity} envelopes; a send to a full subscription drops the
 * envelope for that subscriber (as a ZMQ PUB does past its high-water mark): the publisher counts
 * it as dropped and the subscriber's gap accounting shows it.
 */
public final class InProcessEventTransport implements EventTransport {
  private static final Map<String, List<Sub>> BUS = new ConcurrentHashMap<>();
  private static final EventEnvelope CLOSED = new EventEnvelope(0, 0, 0, "", new byte[0]);
  private final int capacity;

  public InProcessEventTransport() {
    this(100_000);
  }

  public InProcessEventTransport(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public String name() {
    return "in_process";
  }

  @Override
  public Publication publish(EventScope scope, String topic, long publisherId) {
    String subject = scope.subject(topic);
    return new Publication() {
      @Override
      public boolean send(EventEnvelope envelope) {
        boolean all = true;
        for (Sub s : BUS.getOrDefault(subject, List.of())) {
          all &= s.queue.offer(envelope);
        }
        return all;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Subscription subscribe(EventScope scope, String topic) {
    Sub s = new Sub(scope.subject(topic), capacity);
    BUS.computeIfAbsent(s.subject, k -> new CopyOnWriteArrayList<>()).add(s);
    return s;
  }

  @Override
  public void close() {}

  private static final class Sub implements Subscription {
    final String subject;
    final ArrayBlockingQueue<EventEnvelope> queue;
    private volatile boolean closed;

    Sub(String subject, int capacity) {
      this.subject = subject;
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public EventEnvelope next() throws InterruptedException {
      if (closed) {
        return null;
      }
      EventEnvelope e = queue.take(); // ends: close() always queues CLOSED (publishers are in this JVM)
      return e == CLOSED ? null : e;
    }

    @Override
    public EventEnvelope poll(Duration timeout) throws InterruptedException {
      if (closed) {
        return null;
      }
      EventEnvelope e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return e == CLOSED ? null : e;
    }

    @Override
    public int drainTo(Collection<? super EventEnvelope> sink, int max) {
      if (closed) {
        return 0;
      }
      int n = 0;
      EventEnvelope e;
      while (n < max && (e = queue.peek()) != null && e != CLOSED) {
        sink.add(queue.poll());
        n++;
      }
      return n;
    }

    @Override
    public void close() {
      closed = true;
      List<Sub> subs = BUS.get(subject);
      if (subs != null) {
        subs.remove(this);
      }
      queue.clear();
      queue.offer(CLOSED);
    }
  }
}
