package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.testkit.RequestTransportConformance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The ZMQ request plane (ours) passes the shared request-transport suite, and a raw DEALER gets
 * the ACK for the prototype's layout and a typed answer for anything else while the ROUTER keeps
 * serving.
 */
class ZmqRequestTransportTest extends RequestTransportConformance {
  @Override
  protected DistributedRuntime newRuntime(UnaryOperator<RuntimeConfig.Builder> tweak) {
    return DistributedRuntime.builder()
        .config(tweak.apply(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("zmq")).build())
        .build();
  }

  ServedEndpoint serveEcho(String ep) {
    return worker.namespace(namespace).component("zmq").endpoint(ep).serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of(req.value())));
  }

  @Test
  void workersAdvertiseTheirRouter() {
    ServedEndpoint s = serveEcho("adv");
    assertThat(s.instance().transport()).isInstanceOf(TransportType.Zmq.class);
    assertThat(s.instance().transport().address()).matches("tcp://127\\.0\\.0\\.1:\\d+");
  }

  static byte[][] exchange(ZMQ.Socket dealer, byte[]... frames) {
    for (int i = 0; i < frames.length; i++) {
      dealer.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
    }
    byte[] first = dealer.recv(0);
    if (first == null) {
      return null;
    }
    List<byte[]> parts = new ArrayList<>(List.of(first));
    while (dealer.hasReceiveMore()) {
      parts.add(dealer.recv(0));
    }
    return parts.toArray(byte[][]::new);
  }

  /**
   * A raw DEALER connected to {@code address}, its handshake done, answers awaited up to 10 s.
   * JeroMQ may drop what a DEALER sends before its connection is up, hence the wait (socket
   * monitor, as the plane does); JeroMQ 0.6 sometimes stalls a fresh handshake until
   * ZMQ_HANDSHAKE_IVL (30 s by default; DEPENDENCIES.md gotcha 11): a short interval makes it try
   * again, as the plane's DEALERs do.
   */
  static ZMQ.Socket connectedDealer(ZContext ctx, String address) {
    ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
    dealer.setHandshakeIvl(2000);
    dealer.setReconnectIVL(100);
    String at = "inproc://raw-dealer-monitor-" + System.nanoTime();
    dealer.monitor(at, ZMQ.EVENT_HANDSHAKE_PROTOCOL);
    ZMQ.Socket monitor = ctx.createSocket(SocketType.PAIR);
    monitor.connect(at);
    monitor.setReceiveTimeOut(20_000);
    dealer.connect(address);
    assertThat(ZMQ.Event.recv(monitor)).as("the raw DEALER's handshake within 20 s").isNotNull();
    dealer.setReceiveTimeOut(10_000);
    return dealer;
  }

  @Test
  void aRawDealerGetsAckAndTypedAnswersForBadMessagesWhileTheRouterKeepsServing() throws Exception {
    ServedEndpoint s = serveEcho("raw");
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket dealer = connectedDealer(ctx, s.instance().transport().address());
      // still retry a lost first request
      dealer.setReceiveTimeOut(2000);
      byte[][] ack = null;
      for (int attempt = 0; attempt < 10 && ack == null; attempt++) {
        // the prototype's layout, with an envelope the worker cannot decode: admitted (the ACK is empty), the engine's stream fails later
        ack = exchange(dealer, "req-1".getBytes(StandardCharsets.UTF_8), "not an envelope".getBytes(StandardCharsets.UTF_8));
      }
      dealer.setReceiveTimeOut(10_000);
      assertThat(ack).isNotNull().hasNumberOfRows(2);
      assertThat(new String(ack[0], StandardCharsets.UTF_8)).isEqualTo("req-1");
      // three frames: answered with a Read error for that request id
      byte[][] three = exchange(dealer, "req-2".getBytes(StandardCharsets.UTF_8), new byte[] {1}, new byte[] {2});
      assertThat(new String(three[0], StandardCharsets.UTF_8)).isEqualTo("req-2");
      assertThat(new String(three[1], StandardCharsets.UTF_8)).isEqualTo("Read error: expected 2 frames [request_id][request], got 3");
      // an empty request id
      byte[][] empty = exchange(dealer, new byte[0], "x".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(empty[1], StandardCharsets.UTF_8)).isEqualTo("Read error: empty request id");
      // one frame only: answered under that frame, as the only id there is
      byte[][] lonely = exchange(dealer, "lonely".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(lonely[0], StandardCharsets.UTF_8)).isEqualTo("lonely");
      assertThat(new String(lonely[1], StandardCharsets.UTF_8)).isEqualTo("Read error: expected 2 frames [request_id][request], got 1");
      byte[][] after = exchange(dealer, "req-3".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(after[0], StandardCharsets.UTF_8)).isEqualTo("req-3");
    }
    // and a real caller is served throughout
    Client<String, String> c = caller.namespace(namespace).component("zmq").endpoint("raw").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    assertThat(c.call("still served").toList()).containsExactly("still served");
  }

  @Test
  void aWorkerThatIsNotThereFailsTheRequestWithinTheConnectTimeout() throws Exception {
    try (DistributedRuntime rt = DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("mem")
        .requestPlane("zmq").tcpConnectTimeout(Duration.ofMillis(500)).build()).build()) {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      assertThatThrownBy(() -> rt.requestPlane().client().send(new TransportType.Zmq("tcp://127.0.0.1:" + port), Map.of(), new byte[] {1}))
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect))
          .hasMessageContaining("no ZMQ connection to tcp://127.0.0.1:" + port + " within 500 ms (DYN_TCP_CONNECT_TIMEOUT)");
    }
  }

  @Test
  void aLibzmqDealerGetsTheAckInThePrototypesLayout() throws Exception {
    ServedEndpoint s = serveEcho("py");
    Process p = new ProcessBuilder(LibzmqInteropTest.PYTHON, LibzmqInteropTest.PEER.toString(), "dealer", s.instance().transport().address(), "py-req-1", "an envelope")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(line).isEqualTo("{\"parts\": 2, \"request_id\": \"py-req-1\", \"ack\": \"\"}"); // accepted: the empty ACK, as on TCP
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
