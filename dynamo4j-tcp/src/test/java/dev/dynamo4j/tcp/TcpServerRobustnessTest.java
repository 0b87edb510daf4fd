package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import dev.dynamo4j.spi.config.TcpServerLimits;
import dev.dynamo4j.wire.TcpAck;
import dev.dynamo4j.wire.TcpRequestFrame;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad bytes on the shared server's socket: each bad connection gets a typed ACK or is closed,
 * and a well-behaved client on another connection keeps being served.
 */
@Timeout(60)
class TcpServerRobustnessTest {
  /** The worker's budget for bytes of unfinished frames, across connections. */
  static final long PENDING_BUDGET = 1024 * 1024;

  DistributedRuntime worker;
  DistributedRuntime caller;
  ServedEndpoint served;
  Client<String, String> client;
  String host;
  int port;

  @BeforeEach
  void start() throws Exception {
    worker = DistributedRuntime.builder().config(TcpRequestTransportTest.config().toBuilder().tcpMaxMessageSize(64 * 1024)
        .tcpServerLimits(new TcpServerLimits(PENDING_BUDGET, Duration.ofSeconds(1), Duration.ZERO)).build()).build();
    caller = DistributedRuntime.builder().config(TcpRequestTransportTest.config().toBuilder().tcpMaxMessageSize(64 * 1024)
        .tcpServerLimits(new TcpServerLimits(PENDING_BUDGET, Duration.ofSeconds(1), Duration.ZERO)).build()).build();
    served = worker.namespace("robust").component("c").endpoint("echo").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of(req.value())));
    client = caller.namespace("robust").component("c").endpoint("echo").client(String.class);
    client.waitForInstances(Duration.ofSeconds(10));
    String[] hp = ((TcpRequestPlane) worker.requestPlane()).serverAddress().split(":");
    host = hp[0];
    port = Integer.parseInt(hp[1]);
  }

  @AfterEach
  void stop() {
    caller.close();
    worker.close();
  }

  void wellBehavedClientStillWorks() throws Exception {
    assertThat(client.call("still here").toList()).containsExactly("still here");
  }

  /** A socket whose reads end after 10 s: a blocking read is not ended by the test's timeout. */
  Socket connect() throws IOException {
    Socket s = new Socket(host, port);
    s.setSoTimeout(10_000);
    return s;
  }

  static String readAck(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int len = d.readInt();
    byte[] body = new byte[len];
    d.readFully(body);
    return new String(body, StandardCharsets.UTF_8);
  }

  static boolean closedByPeer(Socket s) throws IOException {
    s.setSoTimeout(5000);
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Test
  void emptyAndLongPathsAreUnknownEndpointsOnAConnectionThatStaysOpen() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      // Spec T3: any u16 path length decodes; an unknown path is an unknown endpoint.
      out.write(new byte[] {0, 0, 0, 2, '{', '}', 0, 0, 0, 0});
      out.write(new TcpRequestFrame("x".repeat(5000), Map.of(), new byte[0]).encode());
      out.flush();
      assertThat(readAck(s.getInputStream())).isEqualTo("Server unavailable: unknown endpoint ");
      assertThat(readAck(s.getInputStream())).isEqualTo("Server unavailable: unknown endpoint " + "x".repeat(5000));
      // The same connection still carries a well-formed request.
      out.write(new TcpRequestFrame("nope", Map.of(), new byte[0]).encode());
      out.flush();
      assertThat(readAck(s.getInputStream())).isEqualTo("Server unavailable: unknown endpoint nope");
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void oversizedPayloadIsRefusedBeforeItArrives() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      ByteBuffer b = ByteBuffer.allocate(2 + 1 + 2 + 2 + 4);
      b.putShort((short) 1).put((byte) 'p').putShort((short) 2).put((byte) '{').put((byte) '}').putInt(100 * 1024 * 1024);
      out.write(b.array());
      out.flush();
      assertThat(readAck(s.getInputStream())).isEqualTo("Read error: message too large: " + (11L + 100 * 1024 * 1024) + " bytes (max: " + 64 * 1024 + " bytes)");
      assertThat(closedByPeer(s)).isTrue();
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void garbageBytesCloseOnlyThatConnection() throws Exception {
    Random r = new Random(42);
    for (int i = 0; i < 20; i++) {
      try (Socket s = connect()) {
        // Random path and header bytes of random lengths (any u16 length decodes, spec T3), then
        // a payload length that makes the whole frame too large, then more junk.
        byte[] path = new byte[r.nextInt(300)];
        byte[] headers = new byte[r.nextInt(300)];
        byte[] tail = new byte[r.nextInt(4096)];
        r.nextBytes(path);
        r.nextBytes(headers);
        r.nextBytes(tail);
        ByteBuffer junk = ByteBuffer.allocate(2 + path.length + 2 + headers.length + 4 + tail.length);
        junk.putShort((short) path.length).put(path).putShort((short) headers.length).put(headers)
            .putInt(0xFF000000 | r.nextInt(1 << 24)).put(tail);
        s.getOutputStream().write(junk.array());
        s.getOutputStream().flush();
        assertThat(readAck(s.getInputStream())).startsWith("Read error: message too large:");
        assertThat(closedByPeer(s)).isTrue();
      }
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void unknownEndpointAndBadUtf8PathAreAnsweredAndTheConnectionStaysUp() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(new TcpRequestFrame("no/such/endpoint", Map.of(), new byte[] {1}).encode());
      out.write(new byte[] {0, 2, (byte) 0xC3, 0x28, 0, 0, 0, 0, 0, 0});
      out.write(new TcpRequestFrame("another/unknown", Map.of(), new byte[0]).encode());
      out.flush();
      InputStream in = s.getInputStream();
      assertThat(readAck(in)).isEqualTo("Server unavailable: unknown endpoint no/such/endpoint");
      assertThat(readAck(in)).isEqualTo("Invalid endpoint path");
      assertThat(readAck(in)).isEqualTo("Server unavailable: unknown endpoint another/unknown");
      assertThat(new TcpAck("Server unavailable: unknown endpoint x".getBytes()).rejection()).isNotNull();
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void aPeerThatHangsUpMidFrameDoesNotDisturbOthers() throws Exception {
    byte[] frame = new TcpRequestFrame(served.routingKey(), Map.of(), new byte[1000]).encode();
    try (Socket s = connect()) {
      s.getOutputStream().write(frame, 0, frame.length / 2);
      s.getOutputStream().flush();
    }
    wellBehavedClientStillWorks();
  }

  static void readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        throw new EOFException();
      }
      off += n;
    }
  }

  // ---- hostile peers that start frames and never finish them (issue 15) ----

  long gauge(String name) {
    return worker.requestPlane().gauges().get(name);
  }

  /** A frame header for a payload of {@code payload} bytes, then {@code sent} of them. */
  static byte[] unfinishedFrame(int payload, int sent) {
    ByteBuffer b = ByteBuffer.allocate(2 + 1 + 2 + 2 + 4 + sent);
    b.putShort((short) 1).put((byte) 'p').putShort((short) 2).put((byte) '{').put((byte) '}').putInt(payload).put(new byte[sent]);
    return b.array();
  }

  @Test
  void unfinishedFramesAreHeldWithinTheServersBudgetAndTimeOut() throws Exception {
    // 40 peers each send 60 KiB of a 64 KiB frame and hold: 2.4 MB asked, 1 MiB allowed.
    List<Socket> peers = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket s = connect();
        s.getOutputStream().write(unfinishedFrame(60 * 1024, 60 * 1024 - 1));
        s.getOutputStream().flush();
        peers.add(s);
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge("server_budget_closures_total") > 0);
      assertThat(gauge("server_pending_bytes")).isLessThanOrEqualTo(PENDING_BUDGET);
      wellBehavedClientStillWorks();
      // Nothing finishes: every one of them is closed once its frame is 1 s old (DYN_TCP_FRAME_TIMEOUT_SECS).
      for (Socket s : peers) {
        assertThat(closedByPeer(s)).isTrue();
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge("server_pending_bytes") == 0);
      assertThat(gauge("server_frame_timeouts_total") + gauge("server_budget_closures_total")).isEqualTo(40);
    } finally {
      for (Socket s : peers) {
        s.close();
      }
    }
    wellBehavedClientStillWorks();
  }

  static int platformThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  @Test
  void oneByteAndHoldIsClosedAfterTheFrameTimeoutForThousandsOfConnections() throws Exception {
    List<Socket> peers = new ArrayList<>();
    wellBehavedClientStillWorks();
    int threadsBefore = platformThreads();
    try {
      for (int i = 0; i < 2000; i++) {
        Socket s = connect();
        s.getOutputStream().write(0);
        s.getOutputStream().flush();
        peers.add(s);
        if (i % 500 == 0) {
          wellBehavedClientStillWorks(); // served throughout
        }
      }
      wellBehavedClientStillWorks();
      // connections cost no thread: the event loops and the pools were there before
      assertThat(platformThreads() - threadsBefore).as("platform threads added by 2000 connections").isLessThan(8);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gauge("server_frame_timeouts_total") >= 2000);
      for (Socket s : peers) {
        assertThat(closedByPeer(s)).isTrue();
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge("server_connections") <= 1);
    } finally {
      for (Socket s : peers) {
        s.close();
      }
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void theCallersResponseListenerHoldsUnfinishedFramesWithinItsBudgetToo() throws Exception {
    String[] hp = ((TcpResponsePlane) caller.requestPlane().responsePlane()).address().split(":");
    ToLongFunction<String> callerGauge = name -> caller.requestPlane().gauges().get(name);
    List<Socket> peers = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
        s.setSoTimeout(10_000);
        // a two-part frame (u64 header length, u64 body length) of 60 KiB, all but one byte of it
        ByteBuffer b = ByteBuffer.allocate(16 + 60 * 1024 - 1);
        b.putLong(0).putLong(60 * 1024);
        s.getOutputStream().write(b.array());
        s.getOutputStream().flush();
        peers.add(s);
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> callerGauge.applyAsLong("response_server_budget_closures_total") > 0);
      assertThat(callerGauge.applyAsLong("response_server_pending_bytes")).isLessThanOrEqualTo(PENDING_BUDGET);
      wellBehavedClientStillWorks(); // the worker's own response connection is served meanwhile
      for (Socket s : peers) {
        assertThat(closedByPeer(s)).isTrue();
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> callerGauge.applyAsLong("response_server_pending_bytes") == 0);
      assertThat(callerGauge.applyAsLong("response_server_frame_timeouts_total") + callerGauge.applyAsLong("response_server_budget_closures_total")).isEqualTo(40);
    } finally {
      for (Socket s : peers) {
        s.close();
      }
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void lengthPrefixesAtTheTopOfTheirRangeAreRefusedBeforeAnythingIsHeld() throws Exception {
    for (long declared : new long[] {1L << 31, (1L << 32) - 1}) {
      try (Socket s = connect()) {
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + 2 + 2 + 4 + 16);
        b.putShort((short) 1).put((byte) 'p').putShort((short) 2).put((byte) '{').put((byte) '}').putInt((int) declared).put(new byte[16]);
        s.getOutputStream().write(b.array());
        s.getOutputStream().flush();
        String ack = readAck(s.getInputStream());
        // the u32 is read unsigned: 2^32-1 is a 4 GiB payload, not -1
        assertThat(ack).startsWith("Read error: message too large: " + (declared + 2 + 1 + 2 + 2 + 4) + " bytes").endsWith("(max: 65536 bytes)");
        assertThat(closedByPeer(s)).isTrue();
      }
      assertThat(gauge("server_pending_bytes")).isZero();
    }
    // the u16 path length and headers length at their tops: 65535-byte fields, then an unknown endpoint
    try (Socket s = connect()) {
      byte[] frame = new TcpRequestFrame("p".repeat(65535), Map.of(), new byte[0]).encode();
      s.getOutputStream().write(frame);
      s.getOutputStream().flush();
      assertThat(readAck(s.getInputStream())).startsWith("Read error: message too large: ");
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void oneHundredMegabytesOfRandomBytesCloseOnlyThatConnection() throws Exception {
    Random r = new Random(15);
    byte[] chunk = new byte[1 << 20];
    long written = 0;
    long maxHeld = 0;
    try (Socket s = connect()) {
      try {
        while (written < 100L * 1024 * 1024) {
          r.nextBytes(chunk);
          s.getOutputStream().write(chunk);
          written += chunk.length;
          maxHeld = Math.max(maxHeld, gauge("server_pending_bytes"));
        }
        s.getOutputStream().flush();
        assertThat(closedByPeer(s)).as("closed after the first bad frame").isTrue();
      } catch (IOException resetByTheServer) {
        // the server closed long before the 100 MB were sent: writes fail
      }
    }
    assertThat(maxHeld).as("bytes held for the random connection").isLessThanOrEqualTo(PENDING_BUDGET);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge("server_connections") <= 1 && gauge("server_pending_bytes") == 0);
    wellBehavedClientStillWorks();
  }

  @Test
  void halfClosedSocketsGetTheirAnswerOrAreClosedAndLeaveNothingBehind() throws Exception {
    // a whole frame, then the peer shuts its output: the request is still answered
    try (Socket s = connect()) {
      s.getOutputStream().write(new TcpRequestFrame("nope", Map.of(), new byte[0]).encode());
      s.shutdownOutput();
      assertThat(readAck(s.getInputStream())).isEqualTo("Server unavailable: unknown endpoint nope");
      assertThat(closedByPeer(s)).isTrue();
    }
    // half a frame, then the peer shuts its output: the server lets go of it
    try (Socket s = connect()) {
      s.getOutputStream().write(unfinishedFrame(1000, 500));
      s.shutdownOutput();
      assertThat(closedByPeer(s)).isTrue();
    }
    // shut before sending anything
    try (Socket s = connect()) {
      s.shutdownOutput();
      assertThat(closedByPeer(s)).isTrue();
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge("server_connections") <= 1 && gauge("server_pending_bytes") == 0);
    wellBehavedClientStillWorks();
  }

  @Test
  void aFrameThatKeepsTricklingStillHasToArriveInTime() throws Exception {
    try (Socket s = connect()) {
      byte[] frame = unfinishedFrame(100, 100);
      int sent = 0;
      boolean closed = false;
      // one byte every 100 ms would take 11 s for the 111 bytes; the frame timeout is 1 s from its first byte
      while (sent < frame.length && !closed) {
        try {
          s.getOutputStream().write(frame[sent++]);
          s.getOutputStream().flush();
          s.setSoTimeout(1);
          closed = s.getInputStream().read() == -1; // a check, not a wait: the server never writes here
        } catch (SocketTimeoutException stillOpen) {
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // the peer's pace
        } catch (IOException reset) {
          closed = true;
        }
      }
      assertThat(closed).as("closed by the server").isTrue();
      assertThat(sent).as("before the whole frame arrived").isLessThan(frame.length);
      assertThat(gauge("server_frame_timeouts_total")).isEqualTo(1);
    }
    wellBehavedClientStillWorks();
  }

  @Test
  void anIdleConnectionIsClosedWhenAnIdleTimeoutIsSet() throws Exception {
    try (DistributedRuntime strict = DistributedRuntime.builder().config(TcpRequestTransportTest.config().toBuilder()
            .tcpServerLimits(new TcpServerLimits(PENDING_BUDGET, Duration.ofSeconds(30), Duration.ofMillis(500))).build()).build()) {
      strict.namespace("robust").component("c").endpoint("echo").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of(req.value())));
      String[] hp = ((TcpRequestPlane) strict.requestPlane()).serverAddress().split(":");
      try (Socket idle = new Socket(hp[0], Integer.parseInt(hp[1]))) {
        idle.setSoTimeout(10_000);
        assertThat(idle.getInputStream().read()).as("closed by the server").isEqualTo(-1);
      }
    }
  }
}
