package dev.dynamo4j.zmq;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.EventChannelTransport;
import dev.dynamo4j.wire.EventEnvelope;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A ZMQ event broker: an XSUB socket publishers connect to, an XPUB socket subscribers connect
 * to, and a proxy thread between them. When given discovery it registers itself as an {@code
 * EventChannel} of scope {@code component(<namespace>, "zmq_broker")} with transport {@code
 * ZmqBroker{xsub_endpoints, xpub_endpoints}}, which is how {@code DYN_ZMQ_BROKER_ENABLED} clients
 * find it. {@link #close()} withdraws the record and stops the proxy.
 */
public final class ZmqBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZmqBroker.class);
  /** The component brokers register under. */
  public static final String COMPONENT = "zmq_broker";
  /** The topic of a broker's record (Dynamo's is unconfirmed; only the scope is queried). */
  public static final String TOPIC = "broker";

  private final ZContext context = new ZContext(1);
  private final ZAuth auth; // the ZAP handler when CURVE is on
  private final ZMQ.Socket xsub;
  private final ZMQ.Socket xpub;
  private final Thread proxy;
  /** close() sends TERMINATE here; only the closing thread uses it. */
  private final ZMQ.Socket controlCommand;
  private final String xsubEndpoint;
  private final String xpubEndpoint;
  private final Discovery discovery;
  private final DiscoveryInstance record;

  /**
   * Binds both sockets ({@code tcp://host:port}, port {@code *} or 0 for any) and starts the proxy.
   *
   * @param discovery where to register, or {@code null} for none
   */
  public ZmqBroker(String xsubBind, String xpubBind, String namespace, Discovery discovery) {
    this(xsubBind, xpubBind, namespace, discovery, false);
  }

  /**
   * @param lossless the XPUB does not drop for a subscriber at its high-water mark but waits
   *     (the proxy, and so every publisher behind it, slows to the slowest subscriber): what
   *     {@code DYN_ZMQ_SEND_TIMEOUT_MS=-1} asks of publishers, asked of the broker. Otherwise it
   *     drops for that subscriber, which counts the gap (Dynamo's broker).
   */
  public ZmqBroker(String xsubBind, String xpubBind, String namespace, Discovery discovery, boolean lossless) {
    this(xsubBind, xpubBind, namespace, discovery, lossless, ZmqEventOptions.DEFAULTS);
  }

  /**
   * @param options {@code DYN_ZMQ_MAX_MESSAGE_BYTES} (the largest part a publisher may send to
   *     the XSUB; a larger one drops that publisher's connection before it is allocated) and
   *     {@code DYN_ZMQ_CURVE_*} (both sockets serve CURVE and admit only the deployment's key)
   */
  public ZmqBroker(String xsubBind, String xpubBind, String namespace, Discovery discovery, boolean lossless, ZmqEventOptions options) {
    auth = ZmqCurve.authenticator(context, options.curve());
    xsub = context.createSocket(SocketType.XSUB);
    xpub = context.createSocket(SocketType.XPUB);
    xsub.setMaxMsgSize(options.maxMessageBytes());
    ZmqCurve.server(xsub, options.curve());
    ZmqCurve.server(xpub, options.curve());
    xsub.setLinger(0);
    xpub.setLinger(0);
    xpub.setSndHWM(ZmqEventTransport.SNDHWM);
    if (lossless) {
      xpub.setXpubNoDrop(true); // the proxy's sends block at the high-water mark
    }
    try {
      xsub.bind(anyPort(xsubBind));
      xpub.bind(anyPort(xpubBind));
    } catch (RuntimeException e) {
      if (auth != null) {
        auth.close();
      }
      context.close();
      throw new DynamoException(ErrorType.Unavailable, "cannot bind the broker on " + xsubBind + " / " + xpubBind + ": " + e.getMessage(), e);
    }
    xsubEndpoint = xsub.getLastEndpoint();
    xpubEndpoint = xpub.getLastEndpoint();
    // The proxy thread owns xsub and xpub; they are closed only after it has returned, never under
    // it (closing a socket another thread polls can hang the context's termination).
    String controlEndpoint = "inproc://dynamo4j-broker-control-" + Integer.toHexString(System.identityHashCode(this));
    ZMQ.Socket controlProxySide = context.createSocket(SocketType.PAIR);
    controlProxySide.bind(controlEndpoint);
    controlCommand = context.createSocket(SocketType.PAIR);
    controlCommand.setLinger(0);
    controlCommand.connect(controlEndpoint);
    proxy = Thread.ofPlatform().daemon().name("dynamo4j-zmq-broker").start(() -> {
      try {
        ZMQ.proxy(xsub, xpub, null, controlProxySide);
      } catch (RuntimeException e) {
        log.debug("broker proxy ended: {}", e.toString());
      }
    });
    this.discovery = discovery;
    if (discovery != null) {
      long id = EventEnvelope.maskPublisherId(new SecureRandom().nextLong());
      record = discovery.register(new DiscoverySpec.EventChannel(new EventScope.Component(namespace, COMPONENT), TOPIC, id,
          new EventChannelTransport.ZmqBroker(List.of(xsubEndpoint), List.of(xpubEndpoint))));
    } else {
      record = null;
    }
    log.info("ZMQ broker: xsub {} xpub {}", xsubEndpoint, xpubEndpoint);
  }

  private static String anyPort(String bind) {
    return bind.endsWith(":0") ? bind.substring(0, bind.length() - 2) + ":*" : bind;
  }

  public String xsubEndpoint() {
    return xsubEndpoint;
  }

  public String xpubEndpoint() {
    return xpubEndpoint;
  }

  @Override
  public void close() {
    if (record != null) {
      try {
        discovery.unregister(record);
      } catch (RuntimeException e) {
        log.warn("could not withdraw the broker record: {}", e.toString());
      }
    }
    controlCommand.send("TERMINATE");
    try {
      if (!proxy.join(Duration.ofSeconds(5))) {
        log.warn("ZMQ broker proxy did not stop within 5 s; closing its sockets anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (auth != null) {
      auth.close();
    }
    context.close();
  }
}
