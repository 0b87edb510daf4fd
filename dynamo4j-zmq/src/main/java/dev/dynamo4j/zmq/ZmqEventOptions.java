package dev.dynamo4j.zmq;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the ZMQ event plane, read once from the environment (one typed value in {@link
 * dev.dynamo4j.config.RuntimeConfig}).
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

  private static final Setting.Declarer CORE = Setting.in("dynamo4j-zmq");
  public static final Setting<Long> IO_THREADS = CORE.integer("DYN_ZMQ_IO_THREADS", 4, 1, Integer.MAX_VALUE, "I/O threads of the ZMQ event plane's context.");
  public static final Setting<Duration> SEND_TIMEOUT = CORE.custom("DYN_ZMQ_SEND_TIMEOUT_MS", Duration.ZERO, "0",
      "How long a publisher waits when a subscriber's queue is full: 0 = drop and count (Dynamo's behaviour), N ms, -1 = as long as it takes (lossless).",
      v -> {
        long n = parseLong(v, "expected 0, a positive number of ms or -1 (forever)");
        if (n < -1 || n > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("expected 0, a positive number of ms or -1 (forever)");
        }
        return n == -1 ? FOREVER : Duration.ofMillis(n);
      });
  public static final Setting<Duration> BROKER_READY_TIMEOUT = CORE.millis("DYN_ZMQ_BROKER_READY_TIMEOUT_MS", Duration.ofSeconds(5), 1, Long.MAX_VALUE,
      "How long a broker-mode publisher waits for its brokers before it fails.");
  public static final Setting<Long> MAX_MESSAGE_BYTES = CORE.custom("DYN_ZMQ_MAX_MESSAGE_BYTES", DEFAULTS_MAX_MESSAGE_BYTES, "67108864 (64 MiB)",
      "Largest event part a subscriber or broker accepts; -1 = no limit.", v -> {
        long n = parseLong(v, "expected a positive number of bytes or -1 (no limit)");
        if (n < 1 && n != -1) {
          throw new IllegalArgumentException("expected a positive number of bytes or -1 (no limit)");
        }
        return n;
      });
  public static final Setting<String> CURVE_PUBLIC_KEY = CORE.ours().text("DYN_ZMQ_CURVE_PUBLIC_KEY", null,
      "CURVE public key (40 characters, Z85) of the event plane; with the secret key every process of the deployment encrypts and authenticates its events.");
  public static final Setting<String> CURVE_SECRET_KEY = CORE.ours().text("DYN_ZMQ_CURVE_SECRET_KEY", null,
      "CURVE secret key (40 characters, Z85), with DYN_ZMQ_CURVE_PUBLIC_KEY; ./dynamo4j zmq-keygen makes a pair.");

  /** Every variable of this record. */
  public static final List<Setting<?>> SETTINGS = List.of(IO_THREADS, SEND_TIMEOUT, BROKER_READY_TIMEOUT, MAX_MESSAGE_BYTES, CURVE_PUBLIC_KEY, CURVE_SECRET_KEY);

  private static long parseLong(String v, String expected) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(expected);
    }
  }

  /** {@code base} overridden by whichever of the variables {@code env} sets. */
  public static ZmqEventOptions fromEnv(Map<String, String> env, ZmqEventOptions base) {
    CurveKeys curve = base.curve;
    String pub = CURVE_PUBLIC_KEY.read(env);
    String sec = CURVE_SECRET_KEY.read(env);
    if (pub != null || sec != null) {
      if (pub == null || sec == null) {
        throw invalid("both DYN_ZMQ_CURVE_PUBLIC_KEY and DYN_ZMQ_CURVE_SECRET_KEY must be set to encrypt the ZMQ event plane");
      }
      curve = new CurveKeys(pub, sec);
    }
    return new ZmqEventOptions(IO_THREADS.read(env, (long) base.ioThreads).intValue(), SEND_TIMEOUT.read(env, base.sendTimeout),
        BROKER_READY_TIMEOUT.read(env, base.brokerReadyTimeout), MAX_MESSAGE_BYTES.read(env, base.maxMessageBytes), curve);
  }


  private static DynamoException invalid(String message) {
    return new DynamoException(ErrorType.InvalidArgument, message);
  }
}
