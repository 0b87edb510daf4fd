package dev.dynamo4j.engine;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The streamed answer to one request, bound to that request's {@link Controller}.
 *
 * <p><b>Consuming.</b> The primitive is a blocking iterator: {@link #iterator()} (or a for-each
 * loop) blocks in {@code hasNext()} until the next item, the end, or a failure, which is thrown
 * as a {@link DynamoException} after every item that came before it. Blocking is meant for
 * virtual threads. {@link #subscribe(Flow.Subscriber)} adapts the same stream to {@link
 * java.util.concurrent.Flow}: it honours demand and drains on one virtual thread per
 * subscription. A stream has exactly one consumer: a second {@code iterator()} or {@code
 * subscribe} fails with {@link IllegalStateException}.
 *
 * <p><b>Producing.</b> {@link #generate} runs a producer on its own virtual thread and hands
 * items over through a bounded buffer ({@value #DEFAULT_CAPACITY} items by default): a slow
 * consumer blocks the producer, memory never grows without bound. {@link #channel} gives the
 * same buffer to code that produces from elsewhere (a network reader, for instance), and {@link
 * #of} streams a collection with no thread at all. Transports provide their own {@link
 * ItemSource}.
 *
 * <p><b>Stopping.</b> {@link #close()} before the end means "I do not want the rest": the
 * source is cancelled, buffered items are dropped, and the controller is stopped, which reaches
 * the producer (and, over the network, the worker's engine). Closing after the end releases
 * resources only. {@link #map}, {@link #flatMap} and {@link #prepend} return views that share
 * the source and the controller and add no thread hop.
 *
 * <p>Items are never {@code null}.
 *
 * @param <T> the item type
 */
public final class ResponseStream<T> implements Iterable<T>, Flow.Publisher<T>, AutoCloseable, PipelineIO {

  /** Buffer size of {@link #generate} and {@link #channel} when none is given. */
  public static final int DEFAULT_CAPACITY = 64;

  private final Controller controller;
  private final ItemSource<T> source;
  private final AtomicBoolean consumed = new AtomicBoolean();
  private volatile boolean finished;
  private volatile boolean closed;

  private ResponseStream(Controller controller, ItemSource<T> source) {
    this.controller = Objects.requireNonNull(controller, "controller");
    this.source = Objects.requireNonNull(source, "source");
  }

  /** Where items come from. Implemented by buffers and by transports. */
  public interface ItemSource<T> {
    /**
     * Blocks until the next item and returns it, or returns {@code null} at the end of the
     * stream.
     *
     * @throws DynamoException when the stream failed
     */
    T next() throws InterruptedException;

    /** The consumer is gone: release resources and make the producer stop. Idempotent. */
    void cancel();
  }

  /** The producing side of a buffered stream. Thread-safe; one producer at a time. */
  public interface Emitter<T> {
    /**
     * Hands over an item, blocking while the buffer is full.
     *
     * @return false, without taking the item, when the consumer has gone away or the request was
     *     stopped or killed; the producer should stop
     */
    boolean emit(T item) throws InterruptedException;

    /** Ends the stream normally. Later calls to emit, complete or fail are ignored. */
    void complete();

    /** Ends the stream with a failure the consumer will see after the buffered items. */
    void fail(Throwable error);

    /** True when the consumer closed the stream or the request was stopped or killed. */
    boolean isStopped();

    /** The request's controller. */
    Controller controller();
  }

  /** A producer run by {@link #generate}. */
  @FunctionalInterface
  public interface Producer<T> {
    void produce(Emitter<T> emitter) throws Exception;
  }

  /** A stream fed by {@code producer} on a new virtual thread through a bounded buffer. */
  public static <T> ResponseStream<T> generate(Context<?> context, Producer<T> producer) {
    return generate(context.controller(), DEFAULT_CAPACITY, producer);
  }

  /**
   * As {@link #generate(Context, Producer)} with an explicit controller and capacity. The
   * producer starts when the consumer first asks for an item, on a new virtual thread feeding a
   * buffer of {@code capacity} items; a consumer that uses {@link #drainTo} instead runs it on its
   * own thread with no buffer and no hand-off.
   */
  public static <T> ResponseStream<T> generate(Controller controller, int capacity, Producer<T> producer) {
    return new ResponseStream<>(controller, new Generator<>(controller, capacity, producer));
  }

  /** Where each item goes in {@link #drainTo}. */
  @FunctionalInterface
  public interface Sink<T> {
    /** Takes one item; returns false to stop the stream (the producer is told to stop). */
    boolean accept(T item) throws InterruptedException;
  }

  /**
   * Consumes the whole stream on this thread, handing each item to {@code sink}, and returns
   * normally at the end or when the sink returned false (the controller is then stopped). A
   * stream from {@link #generate} whose producer has not started runs the producer right here:
   * each {@code emit} calls the sink directly. Any other stream is iterated.
   *
   * @throws DynamoException the stream's failure (the producer's exception, wrapped)
   */
  public void drainTo(Sink<? super T> sink) throws InterruptedException {
    claim();
    try {
      if (source instanceof Generator<T> g && g.runInline(sink)) {
        finished = true;
        return;
      }
      T t;
      while ((t = source.next()) != null) {
        if (!sink.accept(t)) {
          close();
          return;
        }
      }
      finished = true;
    } catch (RuntimeException e) {
      finished = true;
      throw DynamoException.wrap(e);
    }
  }

  /**
   * Whether {@link #drainTo} would hand over every item without waiting for another thread: a
   * stream of ready items ({@link #of}, {@link #failed}), or a {@link #generate} stream whose
   * producer has not started (it then runs inside {@code drainTo}, so it waits only if the
   * producer does). A worker in direct mode drains such streams on its I/O thread and any other
   * on a virtual thread.
   */
  public boolean drainsWithoutWaiting() {
    // started is an AtomicBoolean: reading it never waits
    return !closed && (source instanceof Ready<?> || (source instanceof Generator<?> g && !g.started.get()));
  }

  /** A source whose items are all at hand: {@code next} never waits. */
  private interface Ready<T> extends ItemSource<T> {}

  /** The source of {@link #generate}: a producer started on first demand. */
  private static final class Generator<T> implements ItemSource<T> {
    private final Controller controller;
    private final Channel<T> channel;
    private final Producer<T> producer;
    private final AtomicBoolean started = new AtomicBoolean();

    Generator(Controller controller, int capacity, Producer<T> producer) {
      this.controller = controller;
      this.channel = new Channel<>(controller, capacity);
      this.producer = producer;
    }

    @Override
    public T next() throws InterruptedException {
      if (started.compareAndSet(false, true)) {
        Thread.ofVirtual()
            .name("dynamo4j-producer-" + controller.id())
            .start(
                () -> {
                  try {
                    producer.produce(channel);
                    channel.complete();
                  } catch (InterruptedException e) {
                    channel.fail(new DynamoException(ErrorType.Cancelled, "producer interrupted", e));
                  } catch (Throwable t) {
                    channel.fail(t);
                  }
                });
      }
      return channel.next();
    }

    /** Runs the producer on this thread into {@code sink}; false when it had already started. */
    boolean runInline(Sink<? super T> sink) throws InterruptedException {
      if (!started.compareAndSet(false, true)) {
        return false;
      }
      Direct<T> direct = new Direct<>(controller, sink);
      try {
        producer.produce(direct);
      } catch (InterruptedException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw DynamoException.wrap(e);
      }
      if (direct.failure != null) {
        throw DynamoException.wrap(direct.failure);
      }
      if (direct.refused) {
        controller.stop();
      }
      return true;
    }

    @Override
    public void cancel() {
      started.set(true); // a closed stream never starts its producer
      channel.cancel();
    }
  }

  /** The emitter of an inline producer: each item goes straight to the sink. */
  private static final class Direct<T> implements Emitter<T> {
    private final Controller controller;
    private final Sink<? super T> sink;
    private boolean done;
    private boolean refused;
    private Throwable failure;

    Direct(Controller controller, Sink<? super T> sink) {
      this.controller = controller;
      this.sink = sink;
    }

    @Override
    public boolean emit(T item) throws InterruptedException {
      Objects.requireNonNull(item, "stream items must not be null");
      if (done || refused || controller.isStopped()) {
        return false;
      }
      if (!sink.accept(item)) {
        refused = true;
        return false;
      }
      return true;
    }

    @Override
    public void complete() {
      done = true;
    }

    @Override
    public void fail(Throwable error) {
      if (!done) {
        done = true;
        failure = Objects.requireNonNull(error);
      }
    }

    @Override
    public boolean isStopped() {
      return refused || controller.isStopped();
    }

    @Override
    public Controller controller() {
      return controller;
    }
  }

  /** A bounded buffer whose emitter the caller drives; {@link Emitter#complete()} ends it. */
  public static <T> Channel<T> channel(Controller controller, int capacity) {
    return new Channel<>(controller, capacity);
  }

  /** A stream of the given items, with no thread. */
  public static <T> ResponseStream<T> of(Controller controller, Iterable<? extends T> items) {
    Iterator<? extends T> it = items.iterator();
    return new ResponseStream<>(
        controller,
        new Ready<>() {
          @Override
          public T next() {
            return it.hasNext() ? Objects.requireNonNull(it.next(), "stream items must not be null") : null;
          }

          @Override
          public void cancel() {}
        });
  }

  /** A stream that fails at once with {@code error}. */
  public static <T> ResponseStream<T> failed(Controller controller, Throwable error) {
    return new ResponseStream<>(
        controller,
        new Ready<>() {
          @Override
          public T next() {
            throw DynamoException.wrap(error);
          }

          @Override
          public void cancel() {}
        });
  }

  /** A stream over a transport's source. */
  public static <T> ResponseStream<T> fromSource(Controller controller, ItemSource<T> source) {
    return new ResponseStream<>(controller, source);
  }

  public Controller controller() {
    return controller;
  }

  @Override
  public String id() {
    return controller.id();
  }

  /** Same request, items transformed one by one on the consumer's thread. */
  public <U> ResponseStream<U> map(Function<? super T, ? extends U> f) {
    claim();
    return new ResponseStream<>(
        controller,
        new ItemSource<>() {
          @Override
          public U next() throws InterruptedException {
            T t = source.next();
            return t == null ? null : Objects.requireNonNull(f.apply(t), "mapped items must not be null");
          }

          @Override
          public void cancel() {
            source.cancel();
          }
        });
  }

  /** Same request, each item replaced by zero or more items. */
  public <U> ResponseStream<U> flatMap(Function<? super T, ? extends Iterable<? extends U>> f) {
    claim();
    return new ResponseStream<>(
        controller,
        new ItemSource<>() {
          private Iterator<? extends U> current = Collections.emptyIterator();

          @Override
          public U next() throws InterruptedException {
            while (!current.hasNext()) {
              T t = source.next();
              if (t == null) {
                return null;
              }
              current = f.apply(t).iterator();
            }
            return Objects.requireNonNull(current.next(), "stream items must not be null");
          }

          @Override
          public void cancel() {
            source.cancel();
          }
        });
  }

  /** Same request, with {@code items} delivered before the rest. */
  @SafeVarargs
  public final ResponseStream<T> prepend(T... items) {
    claim();
    ArrayDeque<T> first = new ArrayDeque<>(List.of(items));
    return new ResponseStream<>(
        controller,
        new ItemSource<>() {
          @Override
          public T next() throws InterruptedException {
            T t = first.poll();
            return t != null ? t : source.next();
          }

          @Override
          public void cancel() {
            source.cancel();
          }
        });
  }

  /**
   * Same request and items; {@code action} runs once when the stream ends, fails or is closed
   * (on the thread that saw it). Used to release per-request resources such as a router's
   * in-flight count.
   */
  public ResponseStream<T> onTerminate(Runnable action) {
    claim();
    AtomicBoolean ran = new AtomicBoolean();
    Runnable once = () -> {
      if (ran.compareAndSet(false, true)) {
        action.run();
      }
    };
    return new ResponseStream<>(
        controller,
        new ItemSource<>() {
          @Override
          public T next() throws InterruptedException {
            T t;
            try {
              t = source.next();
            } catch (RuntimeException e) {
              once.run();
              throw e;
            }
            if (t == null) {
              once.run();
            }
            return t;
          }

          @Override
          public void cancel() {
            try {
              source.cancel();
            } finally {
              once.run();
            }
          }
        });
  }

  /** Same request and items; {@code observer} sees the failure, if the stream fails, before the consumer does. */
  public ResponseStream<T> mapFailure(Consumer<DynamoException> observer) {
    claim();
    return new ResponseStream<>(
        controller,
        new ItemSource<>() {
          @Override
          public T next() throws InterruptedException {
            try {
              return source.next();
            } catch (RuntimeException e) {
              DynamoException de = DynamoException.wrap(e);
              observer.accept(de);
              throw de;
            }
          }

          @Override
          public void cancel() {
            source.cancel();
          }
        });
  }

  /** Blocks until the end and returns every item; a failure is thrown after draining. */
  public List<T> toList() {
    List<T> out = new ArrayList<>();
    for (T t : this) {
      out.add(t);
    }
    return out;
  }

  @Override
  public Iterator<T> iterator() {
    claim();
    return new Iterator<>() {
      private T peeked;

      @Override
      public boolean hasNext() {
        if (peeked != null) {
          return true;
        }
        if (finished) {
          return false;
        }
        try {
          peeked = source.next();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          close();
          throw new DynamoException(ErrorType.Cancelled, "interrupted while waiting for the next item", e);
        } catch (RuntimeException e) {
          finished = true;
          throw DynamoException.wrap(e);
        }
        if (peeked == null) {
          finished = true;
          return false;
        }
        return true;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        T t = peeked;
        peeked = null;
        return t;
      }
    };
  }

  private void claim() {
    if (!consumed.compareAndSet(false, true)) {
      throw new IllegalStateException("a ResponseStream has exactly one consumer and this one is taken");
    }
  }

  /** True once the consumer has seen the end (or a failure). */
  public boolean isFinished() {
    return finished;
  }

  /**
   * Stops consuming. Before the end this cancels the source and stops the controller; after the
   * end it only releases resources. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    source.cancel();
    if (!finished) {
      finished = true;
      controller.stop();
    }
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (!consumed.compareAndSet(false, true)) {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      subscriber.onError(new IllegalStateException("a ResponseStream has exactly one consumer and this one is taken"));
      return;
    }
    new FlowSubscription<>(this, subscriber).start();
  }

  /** Drains the stream into a Flow subscriber on one virtual thread, honouring demand. */
  private static final class FlowSubscription<T> implements Flow.Subscription {
    private final ResponseStream<T> stream;
    private final Flow.Subscriber<? super T> subscriber;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition demandChanged = lock.newCondition();
    private long demand;
    private boolean cancelled;
    private Throwable badRequest;

    FlowSubscription(ResponseStream<T> stream, Flow.Subscriber<? super T> subscriber) {
      this.stream = stream;
      this.subscriber = subscriber;
    }

    void start() {
      Thread.ofVirtual().name("dynamo4j-flow-" + stream.id()).start(this::run);
    }

    private void run() {
      subscriber.onSubscribe(this);
      try {
        while (true) {
          lock.lock();
          try {
            while (demand == 0 && !cancelled && badRequest == null) {
              demandChanged.await();
            }
            if (cancelled) {
              return;
            }
            if (badRequest != null) {
              stream.close();
              subscriber.onError(badRequest);
              return;
            }
            demand--;
          } finally {
            lock.unlock();
          }
          T item;
          try {
            item = stream.source.next();
          } catch (RuntimeException e) {
            stream.finished = true;
            subscriber.onError(DynamoException.wrap(e));
            return;
          }
          if (item == null) {
            stream.finished = true;
            subscriber.onComplete();
            return;
          }
          if (isCancelled()) {
            return;
          }
          subscriber.onNext(item);
        }
      } catch (InterruptedException e) {
        stream.close();
        subscriber.onError(new DynamoException(ErrorType.Cancelled, "interrupted", e));
      }
    }

    private boolean isCancelled() {
      lock.lock();
      try {
        return cancelled;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void request(long n) {
      lock.lock();
      try {
        if (n <= 0) {
          badRequest = new IllegalArgumentException("Flow rule 3.9: request(" + n + ") must be positive");
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        demandChanged.signal();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void cancel() {
      lock.lock();
      try {
        if (cancelled) {
          return;
        }
        cancelled = true;
        demandChanged.signal();
      } finally {
        lock.unlock();
      }
      stream.close();
    }
  }

  /**
   * A bounded hand-over buffer: the {@link Emitter} side for a producer and a {@link
   * ResponseStream} for the consumer. The producer blocks while {@code capacity} items wait; the
   * consumer is woken only when it is actually waiting.
   */
  public static final class Channel<T> implements Emitter<T>, ItemSource<T> {
    private final Controller controller;
    private final int capacity;
    private final ArrayDeque<T> items;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ResponseStream<T> stream;
    private boolean done;
    private boolean cancelled;
    private Throwable failure;
    private int consumerWaiting;
    private int producerWaiting;

    Channel(Controller controller, int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
      }
      this.controller = controller;
      this.capacity = capacity;
      this.items = new ArrayDeque<>(Math.min(capacity, 1024));
      this.stream = new ResponseStream<>(controller, this);
      controller.stopped().thenRun(this::wakeProducer);
    }

    private void wakeProducer() {
      lock.lock();
      try {
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** The consumer's side. */
    public ResponseStream<T> stream() {
      return stream;
    }

    @Override
    public Controller controller() {
      return controller;
    }

    @Override
    public boolean emit(T item) throws InterruptedException {
      Objects.requireNonNull(item, "stream items must not be null");
      lock.lock();
      try {
        while (items.size() >= capacity && !cancelled && !done && !controller.isStopped()) {
          producerWaiting++;
          try {
            notFull.await();
          } finally {
            producerWaiting--;
          }
        }
        if (cancelled || done || controller.isStopped()) {
          return false;
        }
        items.addLast(item);
        if (consumerWaiting > 0) {
          notEmpty.signal();
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void complete() {
      finish(null);
    }

    @Override
    public void fail(Throwable error) {
      finish(Objects.requireNonNull(error));
    }

    private void finish(Throwable error) {
      lock.lock();
      try {
        if (done) {
          return;
        }
        done = true;
        failure = error;
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean isStopped() {
      lock.lock();
      try {
        return cancelled || controller.isStopped();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public T next() throws InterruptedException {
      lock.lock();
      try {
        while (items.isEmpty() && !done && !cancelled) {
          consumerWaiting++;
          try {
            notEmpty.await();
          } finally {
            consumerWaiting--;
          }
        }
        T t = items.pollFirst();
        if (t != null) {
          if (producerWaiting > 0) {
            notFull.signal();
          }
          return t;
        }
        if (failure != null && !cancelled) {
          throw DynamoException.wrap(failure);
        }
        return null;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void cancel() {
      lock.lock();
      try {
        cancelled = true;
        items.clear();
        notFull.signalAll();
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
