package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.network.Egress;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import dev.dynamo4j.wire.ControlMessage;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workers that misbehave on purpose (written with plain sockets, see {@link ScriptedWorker}): each
 * wait of the caller ends with a typed error naming what it waited for, after the configured
 * deadline, and leaves no registration behind.
 */
@Timeout(60)
class TcpDeadlineTest {
  static final ResponseStreamOptions SHORT =
      ResponseStreamOptions.DEFAULTS.withTimeouts(Duration.ofMillis(700), Duration.ofMillis(700), Duration.ofMillis(700));

  TcpRequestPlane plane;
  Egress egress;

  @BeforeEach
  void start() {
    plane = new TcpRequestPlane(RuntimeConfig.builder().responseStreams(SHORT).build());
    egress = new Egress(plane.client(), plane.responsePlane(), SHORT);
  }

  @AfterEach
  void stop() {
    plane.close();
  }

  private Instance instance(ScriptedWorker w) {
    return new Instance("ns", "c", "e", 7, new TransportType.Tcp(w.address("e")), null, PayloadCodec.JSON);
  }

  private ResponseStream<String> call(ScriptedWorker w) throws InterruptedException {
    return egress.generate(instance(w), Context.of("hello"), Json.MAPPER.constructType(String.class));
  }

  private int pending() {
    return ((TcpResponsePlane) plane.responsePlane()).pendingStreams();
  }

  private static void timesOutNaming(ThrowingCall call, String awaited, String variable) {
    long t0 = System.nanoTime();
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(DynamoException.class, e -> {
          assertThat(e.type()).isEqualTo(ErrorType.ResponseTimeout);
          assertThat(e.getMessage()).contains(awaited).contains(variable);
        });
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("the deadline, not the test timeout, ended the wait").isGreaterThanOrEqualTo(600).isLessThan(20_000);
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void aWorkerThatAcksAndNeverCallsHomeIsAResponseTimeout() throws Exception {
    try (ScriptedWorker w = new ScriptedWorker((self, control, body, info) -> {})) {
      timesOutNaming(() -> call(w), "did not open the response stream", "DYN_TCP_CALL_HOME_TIMEOUT_SECS");
      assertThat(pending()).as("the registration is withdrawn").isZero();
    }
  }

  @Test
  void aWorkerThatCallsHomeButSendsNoHandshakeIsAResponseTimeout() throws Exception {
    try (ScriptedWorker w = new ScriptedWorker((self, control, body, info) -> {
      Socket s = self.dial(info); // connect, then say nothing
      s.getInputStream().read();
    })) {
      timesOutNaming(() -> call(w), "did not open the response stream", "DYN_TCP_CALL_HOME_TIMEOUT_SECS");
      assertThat(pending()).isZero();
    }
  }

  @Test
  void aWorkerThatSendsNoPrologueIsAResponseTimeoutAndIsKilled() throws Exception {
    CountDownLatch killed = new CountDownLatch(1);
    try (ScriptedWorker w = new ScriptedWorker((self, control, body, info) -> {
      Socket s = self.dial(info);
      ScriptedWorker.sendHandshake(s.getOutputStream(), info);
      byte[] kill = ControlMessage.KILL.toFrame().encode();
      byte[] got = s.getInputStream().readNBytes(kill.length);
      if (Arrays.equals(got, kill)) {
        killed.countDown();
      }
    })) {
      timesOutNaming(() -> call(w), "no response prologue", "DYN_TCP_PROLOGUE_TIMEOUT_SECS");
      assertThat(killed.await(5, TimeUnit.SECONDS)).as("the worker is told kill").isTrue();
    }
  }

  @Test
  void aPrologueThenSilenceIsAnInactivityTimeoutOnTheFirstItem() throws Exception {
    try (ScriptedWorker w = new ScriptedWorker((self, control, body, info) -> {
      Socket s = self.dial(info);
      ScriptedWorker.sendHandshake(s.getOutputStream(), info);
      ScriptedWorker.sendHeader(s.getOutputStream(), "{\"error\":null}");
      s.getInputStream().read();
    })) {
      ResponseStream<String> stream = call(w);
      timesOutNaming(() -> stream.iterator().next(), "inactivity", "DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS");
    }
  }

  @Test
  void twoItemsThenSilenceIsAnInactivityTimeout() throws Exception {
    try (ScriptedWorker w = new ScriptedWorker((self, control, body, info) -> {
      Socket s = self.dial(info);
      ScriptedWorker.sendHandshake(s.getOutputStream(), info);
      ScriptedWorker.sendHeader(s.getOutputStream(), "{\"error\":null}");
      ScriptedWorker.sendData(s.getOutputStream(), "{\"data\":\"a\",\"complete_final\":false}");
      ScriptedWorker.sendData(s.getOutputStream(), "{\"data\":\"b\",\"complete_final\":false}");
      s.getInputStream().read();
    })) {
      Iterator<String> it = call(w).iterator();
      assertThat(it.next()).isEqualTo("a");
      assertThat(it.next()).isEqualTo("b");
      timesOutNaming(it::next, "inactivity", "DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS");
    }
  }

  @Test
  void aWorkerThatNeverAcksFailsTheCallAfterTheRequestTimeoutAndLeavesNoRegistration() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        TcpRequestPlane impatient = new TcpRequestPlane(RuntimeConfig.builder().tcpRequestTimeout(Duration.ofMillis(700)).responseStreams(SHORT).build())) {
      CountDownLatch hungUp = new CountDownLatch(1);
      Thread.ofVirtual().start(() -> {
        try (Socket s = silent.accept()) {
          s.getInputStream().transferTo(OutputStream.nullOutputStream()); // reads, never answers
          hungUp.countDown(); // end of stream: the caller closed the connection
        } catch (IOException e) {
          // closed by the test
        }
      });
      Egress e = new Egress(impatient.client(), impatient.responsePlane(), ResponseStreamOptions.DEFAULTS);
      Instance target = new Instance("ns", "c", "e", 9, new TransportType.Tcp("127.0.0.1:" + silent.getLocalPort() + "/e"), null, PayloadCodec.JSON);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> e.generate(target, Context.of("x"), Json.MAPPER.constructType(String.class)))
          .isInstanceOfSatisfying(DynamoException.class, ex -> {
            assertThat(ex.type()).isEqualTo(ErrorType.CannotConnect);
            assertThat(ex.getMessage()).contains("timed out after 700 ms");
          });
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(600).isLessThan(20_000);
      assertThat(((TcpResponsePlane) impatient.responsePlane()).pendingStreams()).isZero();
      // The caller hangs up on a worker that missed an ACK, so unanswered requests cannot pile
      // up on that connection.
      assertThat(hungUp.await(10, TimeUnit.SECONDS)).as("the caller closed the connection").isTrue();
    }
  }

  @Test
  void aCallerInterruptedWhileWaitingLeavesNoRegistration() throws Exception {
    try (ScriptedWorker w = new ScriptedWorker((self, control, body, info) -> {})) {
      Egress patient = new Egress(plane.client(), plane.responsePlane(), ResponseStreamOptions.DEFAULTS);
      Thread t = Thread.ofVirtual().start(() -> {
        try {
          patient.generate(instance(w), Context.of("x"), Json.MAPPER.constructType(String.class));
        } catch (InterruptedException | DynamoException e) {
          // expected: interrupted while waiting for the call-home
        }
      });
      w.requests.poll(10, TimeUnit.SECONDS);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pending() == 1);
      t.interrupt();
      t.join(Duration.ofSeconds(5));
      assertThat(t.isAlive()).isFalse();
      assertThat(pending()).isZero();
    }
  }
}
