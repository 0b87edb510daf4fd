package dev.dynamo4j.internal.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.engine.RequestIds;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.StreamType;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The caller side's table of response streams it expects, keyed by subject: what every response
 * plane (in-process, TCP call-home, TCP multiplexed) needs between "register a stream" and "the
 * worker connected". A registration leaves the table when the worker connects ({@link #claim}),
 * when the caller gives up (timeout, cancel, close) or when the plane closes; the table holds
 * nothing else, so it is bounded by the requests in flight.
 */
public final class CallHomeRegistry {
  private final Map<UUID, Registration> bySubject = new ConcurrentHashMap<>();

  /**
   * Registers a stream of request {@code requestId} under a fresh random subject; {@code info}
   * builds its connection info (once, here).
   */
  public Registration register(String requestId, StreamType type, Function<Registration, ConnectionInfo> info) {
    Registration r = new Registration(RequestIds.newUuid(), requestId, type);
    r.info = info.apply(r);
    bySubject.put(r.subject, r);
    return r;
  }

  /** Removes and returns the registration of {@code subject}, or {@code null} when none waits. */
  public Registration claim(UUID subject) {
    return bySubject.remove(subject);
  }

  /** {@link #claim(UUID)} for a subject in text form; a malformed subject matches nothing. */
  public Registration claim(String subject) {
    UUID id;
    try {
      id = UUID.fromString(subject);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return claim(id);
  }

  /** Registrations waiting now. */
  public int size() {
    return bySubject.size();
  }

  /** Fails every waiting registration with {@code reason} and empties the table. */
  public void cancelAll(DynamoException reason) {
    for (Registration r : bySubject.values()) {
      r.cancel(reason);
    }
    bySubject.clear();
  }

  /** One expected stream. */
  public final class Registration implements PendingStream {
    private final UUID subject;
    private final String requestId;
    private final StreamType type;
    private final CompletableFuture<FrameChannel> future = new CompletableFuture<>();
    private ConnectionInfo info;

    Registration(UUID subject, String requestId, StreamType type) {
      this.subject = subject;
      this.requestId = requestId;
      this.type = type;
    }

    public UUID subject() {
      return subject;
    }

    public String requestId() {
      return requestId;
    }

    public StreamType type() {
      return type;
    }

    @Override
    public ConnectionInfo connectionInfo() {
      return info;
    }

    /**
     * Hands the worker's connection to the waiting caller. Returns false when the caller has
     * already given up; the connection is then the claimer's to close.
     */
    public boolean connect(FrameChannel channel) {
      return future.complete(channel);
    }

    @Override
    public FrameChannel await(Duration timeout) throws InterruptedException {
      try {
        return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        DynamoException timedOut =
            new DynamoException(
                ErrorType.ResponseTimeout,
                "the worker did not open the " + type.wireName() + " stream of request " + requestId + " within " + timeout.toMillis() + " ms (DYN_TCP_CALL_HOME_TIMEOUT_SECS)");
        cancel(timedOut);
        if (future.isDone() && !future.isCompletedExceptionally()) {
          return future.join(); // connected in the same instant
        }
        throw timedOut;
      } catch (ExecutionException e) {
        throw DynamoException.wrap(e.getCause());
      } catch (InterruptedException e) {
        close();
        throw e;
      }
    }

    @Override
    public void cancel(DynamoException reason) {
      bySubject.remove(subject, this);
      future.completeExceptionally(reason);
    }

    @Override
    public void close() {
      bySubject.remove(subject, this);
      if (!future.completeExceptionally(new DynamoException(ErrorType.Cancelled, "response stream withdrawn")) && !future.isCompletedExceptionally()) {
        future.join().close(); // done and not exceptional: join returns at once
      }
    }
  }
}
