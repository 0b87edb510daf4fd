package dev.dynamo4j.events;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the ZMQ event plane, read once from the environment (one typed value in {@link
 * dev.dynamo4j.runtime.RuntimeConfig}).
 *
 * @param ioThreads {@code DYN_ZMQ_IO_THREADS}: I/O threads of the transport's ZMQ context
 *     (Dynamo's variable and rules: a positive 32-bit integer; anything else is an error). Default
 *     4, Dynamo's.
 * @param sendTimeout {@code DYN_ZMQ_SEND_TIMEOUT_MS}: how long a publisher waits for a subscriber
 *     that is at its high-water mark. 0 (the default, Dynamo's {@code SNDTIMEO = 0}): never; that
 *     subscriber misses the event (it counts a gap) and the others get it. Positive: every
 *     subscriber gets every event unless one stays full for that long, then the event is dropped
 *     for all and counted by the publisher ({@code EventPublisher.dropped}). {@code -1}: wait as
 *     long as it takes (lossless; a stuck subscriber stalls its publishers).
 * @param brokerReadyTimeout {@code DYN_ZMQ_BROKER_READY_TIMEOUT_MS}: in broker mode, how long a
 *     new publisher waits for its handshake with every XSUB before its first event (default 5000)
 * @param maxMessageBytes {@code DYN_ZMQ_MAX_MESSAGE_BYTES} (ours; default 64 MiB): the largest
 *     message part a subscriber (and {@code zmq-broker}) accepts; a peer that sends a larger one
 *     is disconnected by ZMQ before the part is allocated ({@code ZMQ_MAXMSGSIZE}), and
 *     reconnected to; -1 = no limit
 */
public record ZmqEventOptions(int ioThreads, Duration sendTimeout, Duration brokerReadyTimeout, long maxMessageBytes) {
  public static final ZmqEventOptions DEFAULTS = new ZmqEventOptions(4, Duration.ZERO, Duration.ofSeconds(5), 64L * 1024 * 1024);

  public ZmqEventOptions(int ioThreads, Duration sendTimeout, Duration brokerReadyTimeout) {
    this(ioThreads, sendTimeout, brokerReadyTimeout, DEFAULTS_MAX_MESSAGE_BYTES);
  }

  private static final long DEFAULTS_MAX_MESSAGE_BYTES = 64L * 1024 * 1024;
  /** The send timeout that means "wait as long as it takes". */
  public static final Duration FOREVER = Duration.ofMillis(-1);

  public ZmqEventOptions {
    if (ioThreads < 1) {
      throw invalid("DYN_ZMQ_IO_THREADS must be a positive integer, got " + ioThreads);
    }
    if (sendTimeout == null || (sendTimeout.isNegative() && !sendTimeout.equals(FOREVER))) {
      throw invalid("DYN_ZMQ_SEND_TIMEOUT_MS must be 0, a positive number of ms or -1 (forever), got " + sendTimeout);
    }
    if (brokerReadyTimeout == null || brokerReadyTimeout.isNegative() || brokerReadyTimeout.isZero()) {
      throw invalid("DYN_ZMQ_BROKER_READY_TIMEOUT_MS must be positive, got " + brokerReadyTimeout);
    }
    if (maxMessageBytes < 1 && maxMessageBytes != -1) {
      throw invalid("DYN_ZMQ_MAX_MESSAGE_BYTES must be a positive number of bytes or -1 (no limit), got " + maxMessageBytes);
    }
  }

  public ZmqEventOptions withSendTimeout(Duration timeout) {
    return new ZmqEventOptions(ioThreads, timeout, brokerReadyTimeout, maxMessageBytes);
  }

  public ZmqEventOptions withIoThreads(int threads) {
    return new ZmqEventOptions(threads, sendTimeout, brokerReadyTimeout, maxMessageBytes);
  }

  public ZmqEventOptions withMaxMessageBytes(long bytes) {
    return new ZmqEventOptions(ioThreads, sendTimeout, brokerReadyTimeout, bytes);
  }

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static ZmqEventOptions fromEnv(Map<String, String> env, ZmqEventOptions base) {
    int io = base.ioThreads;
    String v = get(env, "DYN_ZMQ_IO_THREADS");
    if (v != null) {
      long n = parse("DYN_ZMQ_IO_THREADS", v);
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw invalid("Invalid DYN_ZMQ_IO_THREADS value '" + v + "': expected a positive 32-bit integer");
      }
      io = (int) n;
    }
    Duration send = base.sendTimeout;
    v = get(env, "DYN_ZMQ_SEND_TIMEOUT_MS");
    if (v != null) {
      long n = parse("DYN_ZMQ_SEND_TIMEOUT_MS", v);
      if (n < -1 || n > Integer.MAX_VALUE) {
        throw invalid("Invalid DYN_ZMQ_SEND_TIMEOUT_MS value '" + v + "': expected 0, a positive number of ms or -1 (forever)");
      }
      send = n == -1 ? FOREVER : Duration.ofMillis(n);
    }
    Duration ready = base.brokerReadyTimeout;
    v = get(env, "DYN_ZMQ_BROKER_READY_TIMEOUT_MS");
    if (v != null) {
      long n = parse("DYN_ZMQ_BROKER_READY_TIMEOUT_MS", v);
      if (n < 1) {
        throw invalid("Invalid DYN_ZMQ_BROKER_READY_TIMEOUT_MS value '" + v + "': expected a positive number of ms");
      }
      ready = Duration.ofMillis(n);
    }
    long max = base.maxMessageBytes;
    v = get(env, "DYN_ZMQ_MAX_MESSAGE_BYTES");
    if (v != null) {
      max = parse("DYN_ZMQ_MAX_MESSAGE_BYTES", v);
      if (max < 1 && max != -1) {
        throw invalid("Invalid DYN_ZMQ_MAX_MESSAGE_BYTES value '" + v + "': expected a positive number of bytes or -1 (no limit)");
      }
    }
    return new ZmqEventOptions(io, send, ready, max);
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static long parse(String name, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw invalid("Invalid " + name + " value '" + v + "': expected an integer");
    }
  }

  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
