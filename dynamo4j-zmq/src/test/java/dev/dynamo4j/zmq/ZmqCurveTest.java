package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.EventChannelTransport;
import dev.dynamo4j.spi.discovery.EventQuery;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.zmq.ZmqEventOptions.CurveKeys;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * CURVE on the ZMQ event plane (ours): processes with the deployment's key pair exchange events,
 * encrypted; a subscriber with another pair or none gets nothing; the broker does the same.
 */
@Timeout(60)
class ZmqCurveTest {
  final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);
  final List<AutoCloseable> open = new ArrayList<>();
  final String ns = "curve" + Long.toHexString(System.nanoTime());
  static final CurveKeys DEPLOYMENT = keys();
  static final CurveKeys OTHER = keys();

  static CurveKeys keys() {
    ZMQ.Curve.KeyPair p = ZMQ.Curve.generateKeyPair();
    return new CurveKeys(p.publicKey, p.secretKey);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  <T extends AutoCloseable> T track(T t) {
    open.add(t);
    return t;
  }

  ZmqEventTransport transport(CurveKeys keys, BrokerUrls brokers) {
    return track(new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 10_000, brokers, false,
        ZmqEventOptions.DEFAULTS.withCurve(keys)));
  }

  /** Publishes until {@code wanted} has {@code n} events; returns what it got. */
  static List<String> publishUntil(EventPublisher pub, EventSubscriber wanted, int n) throws Exception {
    List<String> got = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int i = 0;
    while (got.size() < n && System.nanoTime() < deadline) {
      pub.publish("event " + i++);
      ReceivedEvent e = wanted.poll(Duration.ofMillis(50));
      while (e != null) {
        got.add(e.decode(String.class));
        e = wanted.poll(Duration.ZERO);
      }
    }
    return got;
  }

  @Test
  void directModeEventsReachOnlyHoldersOfTheDeploymentKey() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    EventPublisher pub = track(EventPublisher.create(transport(DEPLOYMENT, null), scope, "t", PayloadCodec.MSGPACK));
    EventSubscriber ours = track(EventSubscriber.create(transport(DEPLOYMENT, null), scope, "t", PayloadCodec.MSGPACK));
    EventSubscriber stranger = track(EventSubscriber.create(transport(OTHER, null), scope, "t", PayloadCodec.MSGPACK));
    EventSubscriber plain = track(EventSubscriber.create(transport(null, null), scope, "t", PayloadCodec.MSGPACK));
    assertThat(publishUntil(pub, ours, 20)).hasSizeGreaterThanOrEqualTo(20).allMatch(s -> s.startsWith("event "));
    // the others were connected all along (discovery gave them the publisher) and got nothing
    assertThat(stranger.connectedPublishers()).isEqualTo(1);
    assertThat(plain.connectedPublishers()).isEqualTo(1);
    assertThat(stranger.poll(Duration.ZERO)).isNull();
    assertThat(plain.poll(Duration.ZERO)).isNull();
    assertThat(stranger.stats().received()).isZero();
    assertThat(plain.stats().received()).isZero();
  }

  /** The publisher endpoint of (scope, topic) in discovery. */
  String endpointOf(EventScope scope, String topic) {
    return new KvStoreDiscovery(new MemoryKeyValueStore(data))
        .list(new DiscoveryQuery.EventChannels(EventQuery.of(scope, topic))).get(0) instanceof
        DiscoveryInstance.EventChannel ch && ch.transport() instanceof EventChannelTransport.Zmq z ? z.endpoint() : null;
  }

  @Test
  void aClientThatKnowsOnlyThePublicKeyIsRefusedByTheAuthenticator() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    EventPublisher pub = track(EventPublisher.create(transport(DEPLOYMENT, null), scope, "zap", PayloadCodec.MSGPACK));
    EventSubscriber ours = track(EventSubscriber.create(transport(DEPLOYMENT, null), scope, "zap", PayloadCodec.MSGPACK));
    // the public key is not a secret: an outsider can use it as the server key with a pair of its own
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket outsider = ctx.createSocket(SocketType.SUB);
      outsider.setCurveServerKey(ZMQ.Curve.z85Decode(DEPLOYMENT.publicKey()));
      outsider.setCurvePublicKey(ZMQ.Curve.z85Decode(OTHER.publicKey()));
      outsider.setCurveSecretKey(ZMQ.Curve.z85Decode(OTHER.secretKey()));
      outsider.subscribe(new byte[0]);
      outsider.connect(endpointOf(scope, "zap"));
      assertThat(publishUntil(pub, ours, 20)).hasSizeGreaterThanOrEqualTo(20);
      outsider.setReceiveTimeOut(0);
      assertThat(outsider.recv(0)).as("the outsider read nothing").isNull();
    }
  }

  @Test
  void thePublishersSocketSpeaksCurve() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    ZmqEventTransport t = transport(DEPLOYMENT, null);
    track(EventPublisher.create(t, scope, "wire", PayloadCodec.MSGPACK));
    String endpoint = endpointOf(scope, "wire");
    assertThat(endpoint).isNotNull();
    String[] hp = endpoint.substring("tcp://".length()).split(":");
    try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
      s.setSoTimeout(10_000);
      // ZMTP 3.0: our signature, then our version; the publisher answers each with its own greeting's parts
      byte[] signature = new byte[10];
      signature[0] = (byte) 0xff;
      signature[9] = 0x7f;
      s.getOutputStream().write(signature);
      s.getOutputStream().flush();
      byte[] theirs = new byte[64];
      int n = s.getInputStream().readNBytes(theirs, 0, 10);
      s.getOutputStream().write(new byte[] {3, 0});
      s.getOutputStream().flush();
      n += s.getInputStream().readNBytes(theirs, 10, 54);
      assertThat(n).isEqualTo(64);
      assertThat(new String(theirs, 12, 5, StandardCharsets.US_ASCII)).isEqualTo("CURVE");
    }
  }

  @Test
  void theBrokerServesCurveOnBothSides() throws Exception {
    ZmqBroker broker = track(new ZmqBroker("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", "unused", null, false, ZmqEventOptions.DEFAULTS.withCurve(DEPLOYMENT)));
    BrokerUrls urls = new BrokerUrls(List.of(broker.xsubEndpoint()), List.of(broker.xpubEndpoint()));
    EventScope scope = new EventScope.Namespace(ns);
    EventSubscriber ours = track(EventSubscriber.create(transport(DEPLOYMENT, urls), scope, "b", PayloadCodec.MSGPACK));
    EventSubscriber stranger = track(EventSubscriber.create(transport(OTHER, urls), scope, "b", PayloadCodec.MSGPACK));
    EventPublisher pub = track(EventPublisher.create(transport(DEPLOYMENT, urls), scope, "b", PayloadCodec.MSGPACK));
    assertThat(publishUntil(pub, ours, 20)).hasSizeGreaterThanOrEqualTo(20);
    assertThat(stranger.poll(Duration.ZERO)).isNull();
    assertThat(stranger.stats().received()).isZero();
    // a publisher without the key: its handshake with the broker fails after ZMTP's own (JeroMQ's
    // monitor cannot tell), so it is created, but nothing it sends reaches anyone
    EventPublisher forger = track(EventPublisher.create(transport(OTHER, urls), scope, "b", PayloadCodec.MSGPACK));
    for (int i = 0; i < 50; i++) {
      forger.publish("forged " + i);
    }
    List<String> after = publishUntil(pub, ours, 20);
    assertThat(after).hasSizeGreaterThanOrEqualTo(20).noneMatch(s -> s.startsWith("forged"));
  }

  @Test
  void keysAreCheckedAndTheSecretIsNeverShown() {
    assertThatThrownBy(() -> ZmqEventOptions.fromEnv(Map.of("DYN_ZMQ_CURVE_PUBLIC_KEY", DEPLOYMENT.publicKey()), ZmqEventOptions.DEFAULTS))
        .hasMessageContaining("both DYN_ZMQ_CURVE_PUBLIC_KEY and DYN_ZMQ_CURVE_SECRET_KEY must be set");
    assertThatThrownBy(() -> ZmqEventOptions.fromEnv(Map.of("DYN_ZMQ_CURVE_PUBLIC_KEY", "short", "DYN_ZMQ_CURVE_SECRET_KEY", DEPLOYMENT.secretKey()), ZmqEventOptions.DEFAULTS))
        .hasMessageContaining("DYN_ZMQ_CURVE_PUBLIC_KEY must be a 40-character Z85 CURVE key")
        .hasMessageNotContaining(DEPLOYMENT.secretKey());
    assertThatThrownBy(() -> new CurveKeys(DEPLOYMENT.publicKey(), "x".repeat(39) + "~"))
        .hasMessageContaining("DYN_ZMQ_CURVE_SECRET_KEY must be a 40-character Z85 CURVE key")
        .hasMessageNotContaining("x".repeat(39));
    ZmqEventOptions o = ZmqEventOptions.fromEnv(Map.of("DYN_ZMQ_CURVE_PUBLIC_KEY", DEPLOYMENT.publicKey(), "DYN_ZMQ_CURVE_SECRET_KEY", DEPLOYMENT.secretKey()), ZmqEventOptions.DEFAULTS);
    assertThat(o.curve()).isEqualTo(DEPLOYMENT);
    assertThat(o.toString()).contains(DEPLOYMENT.publicKey()).doesNotContain(DEPLOYMENT.secretKey());
  }
}
