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
 *     message part a subscriber (and {@code zmq-broker}'s XSUB) accepts; a peer that sends a
 *     larger one is disconnected by ZMQ before the part is allocated ({@code ZMQ_MAXMSGSIZE});
 *     JeroMQ 0.6 does not connect to that publisher again. -1 = no limit
 * @param curve {@code DYN_ZMQ_CURVE_PUBLIC_KEY} + {@code DYN_ZMQ_CURVE_SECRET_KEY} (ours; Dynamo's
 *     event plane has no encryption): the deployment's CURVE key pair, or {@code null} for none
 */
public record ZmqEventOptions(int ioThreads, Duration sendTimeout, Duration brokerReadyTimeout, long maxMessageBytes, CurveKeys curve) {
  public static final ZmqEventOptions DEFAULTS = new ZmqEventOptions(4, Duration.ZERO, Duration.ofSeconds(5), 64L * 1024 * 1024, null);

  public ZmqEventOptions(int ioThreads, Duration sendTimeout, Duration brokerReadyTimeout) {
    this(ioThreads, sendTimeout, brokerReadyTimeout, DEFAULTS_MAX_MESSAGE_BYTES, null);
  }

  public ZmqEventOptions(int ioThreads, Duration sendTimeout, Duration brokerReadyTimeout, long maxMessageBytes) {
    this(ioThreads, sendTimeout, brokerReadyTimeout, maxMessageBytes, null);
  }

  /**
   * The deployment's CURVE key pair, Z85-encoded (40 characters each, as {@code zmq_curve_keypair}
   * and {@code dynamo4j zmq-keygen} print them). Every process of the deployment holds the same
   * pair: publishers and brokers serve with the secret key, subscribers and broker-mode publishers
   * connect with it, and each server accepts only clients that present the deployment's public key
   * (so only holders of the secret can read or publish events). {@link #toString()} never shows
   * the secret key.
   */
  public record CurveKeys(String publicKey, String secretKey) {
    private static final String Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    public CurveKeys {
      check("DYN_ZMQ_CURVE_PUBLIC_KEY", publicKey);
      check("DYN_ZMQ_CURVE_SECRET_KEY", secretKey);
    }

    private static void check(String name, String key) {
      if (key == null || key.length() != 40 || key.chars().anyMatch(c -> Z85.indexOf(c) < 0)) {
        throw invalid(name + " must be a 40-character Z85 CURVE key (dynamo4j zmq-keygen makes a pair)"
            + (key == null ? "" : ", got " + key.length() + " characters"));
      }
    }

    @Override
    public String toString() {
      return "CurveKeys[publicKey=" + publicKey + ", secretKey=<redacted>]";
    }
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
    return new ZmqEventOptions(ioThreads, timeout, brokerReadyTimeout, maxMessageBytes, curve);
  }

  public ZmqEventOptions withIoThreads(int threads) {
    return new ZmqEventOptions(threads, sendTimeout, brokerReadyTimeout, maxMessageBytes, curve);
  }

  public ZmqEventOptions withBrokerReadyTimeout(Duration timeout) {
    return new ZmqEventOptions(ioThreads, sendTimeout, timeout, maxMessageBytes, curve);
  }

  /** With CURVE on the event plane ({@code null}: off). */
  public ZmqEventOptions withCurve(CurveKeys keys) {
    return new ZmqEventOptions(ioThreads, sendTimeout, brokerReadyTimeout, maxMessageBytes, keys);
  }

  public ZmqEventOptions withMaxMessageBytes(long bytes) {
    return new ZmqEventOptions(ioThreads, sendTimeout, brokerReadyTimeout, bytes, curve);
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
    CurveKeys curve = base.curve;
    String pub = get(env, "DYN_ZMQ_CURVE_PUBLIC_KEY");
    String sec = get(env, "DYN_ZMQ_CURVE_SECRET_KEY");
    if (pub != null || sec != null) {
      if (pub == null || sec == null) {
        throw invalid("both DYN_ZMQ_CURVE_PUBLIC_KEY and DYN_ZMQ_CURVE_SECRET_KEY must be set to encrypt the ZMQ event plane");
      }
      curve = new CurveKeys(pub, sec);
    }
    return new ZmqEventOptions(io, send, ready, max, curve);
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
