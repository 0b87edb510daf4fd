package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.Controller;
import dev.dynamo4j.engine.RequestStream;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.Egress;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import dev.dynamo4j.wire.RequestControlMessage;
import dev.dynamo4j.wire.StreamType;
import dev.dynamo4j.wire.TcpStreamConnectionInfo;
import dev.dynamo4j.wire.TwoPartMessage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mixed deployments: the mux is offered inside Dynamo's {@code tcp_server} info, so a Dynamo
 * worker (a plain-socket stand-in that knows nothing of it) still calls home, a Dynamo caller
 * (which never offers it) still gets plain call-home, and a dynamo4j side with the mux switched
 * off falls back the same way. Bytes are compared exactly where Dynamo would read them.
 */
@Timeout(60)
class TcpInteropTest {
  static RuntimeConfig config(boolean mux) {
    return RuntimeConfig.builder().discoveryBackend("mem").requestPlane("tcp")
        .responseStreams(ResponseStreamOptions.DEFAULTS.withMux(mux)).build();
  }

  @Test
  void aDynamoWorkerIgnoresTheMuxOfferAndCallsHome() throws Exception {
    try (TcpRequestPlane plane = new TcpRequestPlane(config(true));
        ScriptedWorker dynamo = new ScriptedWorker((self, control, body, info) -> {
          Socket s = self.dial(info);
          ScriptedWorker.sendHandshake(s.getOutputStream(), info);
          ScriptedWorker.sendHeader(s.getOutputStream(), "{\"error\":null}");
          ScriptedWorker.sendData(s.getOutputStream(), "{\"data\":\"a\",\"complete_final\":false}");
          ScriptedWorker.sendData(s.getOutputStream(), "{\"data\":\"b\",\"complete_final\":false}");
          ScriptedWorker.sendData(s.getOutputStream(), "{\"complete_final\":true}");
          ScriptedWorker.sendHeader(s.getOutputStream(), "\"sentinel\"");
          s.getInputStream().read(); // until the caller closes (Dynamo waits for the FIN)
        })) {
      Egress egress = new Egress(plane.client(), plane.responsePlane());
      Instance target = new Instance("ns", "c", "e", 1, new TransportType.Tcp(dynamo.address("e")), null, PayloadCodec.JSON);
      List<String> items = egress.<String, String>generate(target, Context.withId("hi", "req-interop-1"), Json.MAPPER.constructType(String.class)).toList();
      assertThat(items).containsExactly("a", "b");

      String info = dynamo.infoJson.poll(5, TimeUnit.SECONDS);
      TcpStreamConnectionInfo parsed = TcpStreamConnectionInfo.fromJson(info);
      assertThat(info).isEqualTo(
          "{\"address\":\"" + parsed.address() + "\",\"subject\":\"" + parsed.subject() + "\",\"context\":\"req-interop-1\","
              + "\"stream_type\":\"response\",\"dynamo4j_mux\":{\"version\":1,\"frontend_id\":\"" + parsed.muxFrontendId() + "\"}}");
      assertThat(((TcpResponsePlane) plane.responsePlane()).pendingStreams()).isZero();
    }
  }

  @Test
  void aDynamoCallerGetsPlainCallHomeFromADynamo4jWorker() throws Exception {
    try (DistributedRuntime worker = DistributedRuntime.builder().config(config(true)).build();
        ServerSocket callHome = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      ServedEndpoint ep = worker.namespace("interop").component("c").endpoint("e").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.of(req.controller(), List.of("item-0", "item-1")));
      String subject = "5b3a0f2e-0000-4000-8000-000000000001";
      TcpStreamConnectionInfo info = new TcpStreamConnectionInfo("127.0.0.1:" + callHome.getLocalPort(), subject, "req-dynamo-1", StreamType.RESPONSE);
      RequestControlMessage control = new RequestControlMessage("req-dynamo-1", RequestControlMessage.RequestType.SINGLE_IN,
          RequestControlMessage.ResponseType.MANY_OUT, PayloadCodec.JSON, info.toConnectionInfo(), Map.of(), null, null);
      byte[] envelope = new TwoPartMessage(control.toJson(), "7".getBytes(StandardCharsets.UTF_8)).encode();
      try (Socket req = sendRawRequest(ep, envelope)) {

        callHome.setSoTimeout(10_000);
        try (Socket s = callHome.accept()) {
          s.setSoTimeout(10_000);
          InputStream in = s.getInputStream();
          expect(in, TwoPartMessage.headerOnly(("{\"subject\":\"" + subject + "\",\"stream_type\":\"response\"}").getBytes(StandardCharsets.UTF_8)));
          expect(in, TwoPartMessage.headerOnly("{\"error\":null}".getBytes(StandardCharsets.UTF_8)));
          expect(in, TwoPartMessage.dataOnly("{\"data\":\"item-0\",\"complete_final\":false}".getBytes(StandardCharsets.UTF_8)));
          expect(in, TwoPartMessage.dataOnly("{\"data\":\"item-1\",\"complete_final\":false}".getBytes(StandardCharsets.UTF_8)));
          expect(in, TwoPartMessage.dataOnly("{\"complete_final\":true}".getBytes(StandardCharsets.UTF_8)));
          expect(in, TwoPartMessage.headerOnly("\"sentinel\"".getBytes(StandardCharsets.UTF_8)));
        }
      }
    }
  }

  private static void expect(InputStream in, TwoPartMessage m) throws Exception {
    byte[] want = m.encode();
    byte[] got = in.readNBytes(want.length);
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(want));
  }

  @Test
  void aMuxCallerAndAWorkerWithoutMuxStreamOverCallHome() throws Exception {
    assertMixedDeploymentStreams(true, false, false);
  }

  @Test
  void aCallerWithoutMuxAndAMuxWorkerStreamOverCallHome() throws Exception {
    assertMixedDeploymentStreams(false, true, false);
  }

  @Test
  void twoMuxSidesShareOnePersistentConnection() throws Exception {
    assertMixedDeploymentStreams(true, true, true);
  }

  private void assertMixedDeploymentStreams(boolean callerMux, boolean workerMux, boolean expectMux) throws Exception {
    try (DistributedRuntime worker = DistributedRuntime.builder().config(config(workerMux)).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(config(callerMux)).build()) {
      String ns = "mixed" + callerMux + workerMux + System.nanoTime();
      worker.namespace(ns).component("c").endpoint("e").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.generate(req, out -> {
            for (int i = 0; i < req.value(); i++) {
              out.emit("x" + i);
            }
          }));
      Client<Integer, String> client = caller.namespace(ns).component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));
      List<List<String>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        results.add(client.call(50).toList());
      }
      assertThat(results).allSatisfy(r -> assertThat(r).hasSize(50).startsWith("x0").endsWith("x49"));
      TcpResponsePlane workerSide = (TcpResponsePlane) worker.requestPlane().responsePlane();
      if (expectMux) {
        // 20 streams, not 20 connections: the worker reuses its persistent pool (at most
        // DYN_TCP_RESPONSE_MUX_CONNECTIONS = 2). A second connection may open when the next
        // request arrives before the worker has closed the previous stream, which it does just
        // after sending that stream's sentinel (seen once in a fresh-clone run on 2 cores).
        assertThat(workerSide.muxConnections()).as("the persistent connections carried all 20 sequential streams").isBetween(1, 2);
      } else {
        assertThat(workerSide.muxConnections()).isZero();
      }
    }
  }

  // ---- bidirectional (many_in) requests, spec T2: inputs travel bare, not wrapped ----

  /** Reads one TwoPart frame (24-byte prefix: header length, data length, checksum; u64 BE). */
  static TwoPartMessage readFrame(InputStream in) throws Exception {
    byte[] prefix = in.readNBytes(TwoPartMessage.PREFIX_SIZE);
    if (prefix.length < TwoPartMessage.PREFIX_SIZE) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(prefix);
    int rest = (int) (b.getLong(0) + b.getLong(8));
    byte[] all = new byte[prefix.length + rest];
    System.arraycopy(prefix, 0, all, 0, prefix.length);
    System.arraycopy(in.readNBytes(rest), 0, all, prefix.length, rest);
    return TwoPartMessage.decode(all);
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Sends one request frame to {@code ep} with a plain socket, as Dynamo's caller writes it (path,
   * {@code {}} headers, the envelope), checks the success ACK and returns the open socket.
   */
  private static Socket sendRawRequest(ServedEndpoint ep, byte[] envelope) throws Exception {
    String[] addr = ((TransportType.Tcp) ep.instance().transport()).address().split("/", 2);
    String[] hostPort = addr[0].split(":");
    Socket req = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
    DataOutputStream out = new DataOutputStream(req.getOutputStream());
    byte[] path = addr[1].getBytes(StandardCharsets.UTF_8);
    out.writeShort(path.length);
    out.write(path);
    out.writeShort(2);
    out.write("{}".getBytes(StandardCharsets.UTF_8));
    out.writeInt(envelope.length);
    out.write(envelope);
    out.flush();
    assertThat(new DataInputStream(req.getInputStream()).readInt()).as("success ACK").isZero();
    return req;
  }

  /** The sockets of a bidirectional request sent the way Dynamo's caller sends it. */
  private record BidiCall(Socket request, Socket requestStream, Socket responseStream) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      request.close();
      requestStream.close();
      responseStream.close();
    }
  }

  /**
   * Sends a {@code many_in} request to {@code ep} as Dynamo's caller does (header-only envelope,
   * both streams registered at {@code callHome}) and accepts the two streams the worker dials
   * back, in either order, checking each handshake byte for byte.
   */
  private static BidiCall dynamoBidiCall(ServedEndpoint ep, ServerSocket callHome, String id) throws Exception {
    String responseSubject = "5b3a0f2e-0000-4000-8000-0000000000a1";
    String requestSubject = "5b3a0f2e-0000-4000-8000-0000000000a2";
    String home = "127.0.0.1:" + callHome.getLocalPort();
    RequestControlMessage control = new RequestControlMessage(id, RequestControlMessage.RequestType.MANY_IN,
        RequestControlMessage.ResponseType.MANY_OUT, PayloadCodec.JSON,
        new TcpStreamConnectionInfo(home, responseSubject, id, StreamType.RESPONSE).toConnectionInfo(), Map.of(), null,
        new TcpStreamConnectionInfo(home, requestSubject, id, StreamType.REQUEST).toConnectionInfo());
    byte[] envelope = TwoPartMessage.headerOnly(control.toJson()).encode(); // Dynamo: header-only
    Socket req = sendRawRequest(ep, envelope);
    callHome.setSoTimeout(10_000);
    Socket requestStream = null;
    Socket responseStream = null;
    for (int i = 0; i < 2; i++) {
      Socket s = callHome.accept();
      s.setSoTimeout(10_000);
      String handshake = text(readFrame(s.getInputStream()).header());
      if (handshake.equals("{\"subject\":\"" + requestSubject + "\",\"stream_type\":\"request\"}")) {
        requestStream = s;
      } else {
        assertThat(handshake).isEqualTo("{\"subject\":\"" + responseSubject + "\",\"stream_type\":\"response\"}");
        responseStream = s;
      }
    }
    assertThat(requestStream).as("the request stream was dialled").isNotNull();
    assertThat(responseStream).as("the response stream was dialled").isNotNull();
    return new BidiCall(req, requestStream, responseStream);
  }

  private static void sendFrames(Socket s, TwoPartMessage... frames) throws Exception {
    for (TwoPartMessage f : frames) {
      s.getOutputStream().write(f.encode());
    }
    s.getOutputStream().flush();
  }

  private static TwoPartMessage data(String json) {
    return TwoPartMessage.dataOnly(json.getBytes(StandardCharsets.UTF_8));
  }

  private static TwoPartMessage header(String json) {
    return TwoPartMessage.headerOnly(json.getBytes(StandardCharsets.UTF_8));
  }

  private static ServedEndpoint serveRunningSum(DistributedRuntime worker) {
    return worker.namespace("interop").component("c").endpoint("bidi").serveStreaming(Integer.class,
        (Context<RequestStream<Integer>> req) -> ResponseStream.generate(req, out -> {
          int sum = 0;
          for (Integer in : req.value()) {
            sum += in;
            out.emit("sum:" + sum);
          }
        }));
  }

  @Test
  void aDynamoCallerStreamsBareInputsToADynamo4jWorker() throws Exception {
    try (DistributedRuntime worker = DistributedRuntime.builder().config(config(true)).build();
        ServerSocket callHome = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        BidiCall call = dynamoBidiCall(serveRunningSum(worker), callHome, "req-dynamo-bidi-1")) {
      // Dynamo's caller: each input is the value itself in the request codec, then one sentinel.
      sendFrames(call.requestStream(), data("10"), data("20"), data("12"), header("\"sentinel\""));
      InputStream in = call.responseStream().getInputStream();
      expect(in, header("{\"error\":null}"));
      expect(in, data("{\"data\":\"sum:10\",\"complete_final\":false}"));
      expect(in, data("{\"data\":\"sum:30\",\"complete_final\":false}"));
      expect(in, data("{\"data\":\"sum:42\",\"complete_final\":false}"));
      expect(in, data("{\"complete_final\":true}"));
      expect(in, header("\"sentinel\""));
      // The request stream is one-way: the worker writes nothing back on it, it only closes it.
      assertThat(call.requestStream().getInputStream().read()).as("nothing written on the request stream").isEqualTo(-1);
    }
  }

  @Test
  void anInputThatDoesNotDecodeKillsTheBidirectionalRequest() throws Exception {
    try (DistributedRuntime worker = DistributedRuntime.builder().config(config(true)).build();
        ServerSocket callHome = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        BidiCall call = dynamoBidiCall(serveRunningSum(worker), callHome, "req-dynamo-bidi-2")) {
      // An old dynamo4j caller's wrapper is not an Integer either: both kill the request.
      sendFrames(call.requestStream(), data("5"), data("{\"data\":6,\"complete_final\":false}"));
      InputStream in = call.responseStream().getInputStream();
      expect(in, header("{\"error\":null}"));
      expect(in, data("{\"data\":\"sum:5\",\"complete_final\":false}"));
      // Killed (as Dynamo's worker kills the context): the worker drops the response stream
      // without a final marker, and closes the request stream.
      assertThat(in.readAllBytes()).as("nothing after the kill").isEmpty();
      assertThat(call.requestStream().getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void aDynamo4jCallerStreamsBareInputsToADynamoWorker() throws Exception {
    LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (TcpRequestPlane plane = new TcpRequestPlane(config(true));
        ScriptedWorker dynamo = new ScriptedWorker((self, control, body, info) -> {
          seen.add("body:" + (body == null || body.length == 0 ? "none" : body.length + " bytes")); // header-only envelope
          TcpStreamConnectionInfo rq = TcpStreamConnectionInfo.fromJson(control.requestStreamConnectionInfo().info());
          Socket in = self.dial(rq);
          in.setSoTimeout(10_000);
          ScriptedWorker.sendHandshake(in.getOutputStream(), rq);
          int n = 0;
          for (TwoPartMessage f; (f = readFrame(in.getInputStream())) != null; ) {
            seen.add((f.isHeaderOnly() ? "header:" + text(f.header()) : "data:" + text(f.data())));
            if (f.isHeaderOnly()) {
              break;
            }
            n++;
          }
          Socket s = self.dial(info);
          ScriptedWorker.sendHandshake(s.getOutputStream(), info);
          ScriptedWorker.sendHeader(s.getOutputStream(), "{\"error\":null}");
          ScriptedWorker.sendData(s.getOutputStream(), "{\"data\":\"inputs:" + n + "\",\"complete_final\":false}");
          ScriptedWorker.sendData(s.getOutputStream(), "{\"complete_final\":true}");
          ScriptedWorker.sendHeader(s.getOutputStream(), "\"sentinel\"");
          s.getInputStream().read();
        })) {
      Egress egress = new Egress(plane.client(), plane.responsePlane());
      Instance target = new Instance("ns", "c", "e", 1, new TransportType.Tcp(dynamo.address("e")), null, PayloadCodec.JSON);
      List<String> answers = egress.<Object, String>generateStreaming(target, new Controller("req-interop-bidi"),
          List.of(10, "x", Map.of("k", 1)), Json.MAPPER.constructType(String.class)).toList();
      assertThat(answers).containsExactly("inputs:3");
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        got.add(seen.poll(10, TimeUnit.SECONDS));
      }
      assertThat(got).containsExactly("body:none", "data:10", "data:\"x\"", "data:{\"k\":1}", "header:\"sentinel\"");
      RequestControlMessage control = dynamo.requests.poll(5, TimeUnit.SECONDS);
      assertThat(control.requestType()).isEqualTo(RequestControlMessage.RequestType.MANY_IN);
    }
  }

  // ---- T4: bytes from the worker that cannot be decoded are answered with kill, then closed ----

  @Test
  void anUndecodableItemOrFrameFromADynamoWorkerIsAnsweredWithKill() throws Exception {
    byte[] kill = ControlMessage.KILL.toFrame().encode();
    // An item that is not JSON, and a TwoPart prefix whose lengths do not fit (T7).
    byte[] badItem = TwoPartMessage.dataOnly("{not json".getBytes(StandardCharsets.UTF_8)).encode();
    byte[] badFrame = HexFormat.of().parseHex("ffffffffffffffff" + "0000000000000001" + "0000000000000000");
    for (byte[] garbage : List.of(badItem, badFrame)) {
      LinkedBlockingQueue<String> afterGarbage = new LinkedBlockingQueue<>();
      try (TcpRequestPlane plane = new TcpRequestPlane(config(true));
          ScriptedWorker dynamo = new ScriptedWorker((self, control, body, info) -> {
            Socket s = self.dial(info);
            s.setSoTimeout(10_000);
            ScriptedWorker.sendHandshake(s.getOutputStream(), info);
            ScriptedWorker.sendHeader(s.getOutputStream(), "{\"error\":null}");
            ScriptedWorker.sendData(s.getOutputStream(), "{\"data\":\"ok\",\"complete_final\":false}");
            s.getOutputStream().write(garbage);
            s.getOutputStream().flush();
            byte[] got = s.getInputStream().readAllBytes(); // what the caller sends before it closes
            afterGarbage.add(HexFormat.of().formatHex(got));
          })) {
        Egress egress = new Egress(plane.client(), plane.responsePlane());
        Instance target = new Instance("ns", "c", "e", 1, new TransportType.Tcp(dynamo.address("e")), null, PayloadCodec.JSON);
        Iterator<String> it = egress.<String, String>generate(target, Context.withId("hi", "req-t4-" + garbage.length), Json.MAPPER.constructType(String.class)).iterator();
        assertThat(it.next()).isEqualTo("ok");
        Assertions.assertThatThrownBy(it::hasNext)
            .isInstanceOfSatisfying(DynamoException.class,
                e -> assertThat(e.type()).isEqualTo(ErrorType.Disconnected));
        assertThat(afterGarbage.poll(10, TimeUnit.SECONDS)).as("the caller sent kill, then closed").isEqualTo(HexFormat.of().formatHex(kill));
      }
    }
  }
}
