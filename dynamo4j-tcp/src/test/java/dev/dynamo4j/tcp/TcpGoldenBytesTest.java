package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the client puts on the socket, captured by a plain server, against the spec's bytes. */
@Timeout(30)
class TcpGoldenBytesTest {
  @Test
  void aCapturedRequestEqualsTheDerivedBytes() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        TcpRequestPlane plane = new TcpRequestPlane(RuntimeConfig.builder().build())) {
      CompletableFuture<byte[]> captured = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        try (Socket s = server.accept()) {
          DataInputStream in = new DataInputStream(s.getInputStream());
          int pl = in.readUnsignedShort();
          byte[] path = in.readNBytes(pl);
          int hl = in.readUnsignedShort();
          byte[] headers = in.readNBytes(hl);
          int payloadLen = in.readInt();
          byte[] payload = in.readNBytes(payloadLen);
          ByteArrayOutputStream all = new ByteArrayOutputStream();
          DataOutputStream d = new DataOutputStream(all);
          d.writeShort(pl);
          d.write(path);
          d.writeShort(hl);
          d.write(headers);
          d.writeInt(payloadLen);
          d.write(payload);
          captured.complete(all.toByteArray());
          new DataOutputStream(s.getOutputStream()).writeInt(0); // the success ACK
          s.getOutputStream().flush();
          in.read();
        } catch (Exception e) {
          captured.completeExceptionally(e);
        }
      });
      plane.client().send(new TransportType.Tcp("127.0.0.1:" + server.getLocalPort() + "/test.endpoint"), Map.of(), new byte[] {1, 2, 3, 4, 5});
      byte[] bytes = captured.get(10, TimeUnit.SECONDS);
      // The spec's 28-byte vector has headers {}; the client always adds x-endpoint-path (§2.3).
      String headers = "{\"x-endpoint-path\":\"test.endpoint\"}";
      String expected =
          "000d" + "746573742e656e64706f696e74"
              + String.format("%04x", headers.length()) + HexFormat.of().formatHex(headers.getBytes(StandardCharsets.UTF_8))
              + "00000005" + "0102030405";
      assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(expected);
    }
  }

  @Test
  void aRefusedConnectionIsCannotConnect() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (TcpRequestPlane plane = new TcpRequestPlane(RuntimeConfig.builder().build())) {
      assertThatThrownBy(() -> plane.client().send(new TransportType.Tcp("127.0.0.1:" + closedPort + "/x"), Map.of(), new byte[1]))
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.CannotConnect));
    }
  }

  @Test
  void aRequestOverTheMaximumIsInvalidArgument() throws Exception {
    try (TcpRequestPlane plane = new TcpRequestPlane(RuntimeConfig.builder().tcpMaxMessageSize(1024).build())) {
      assertThatThrownBy(() -> plane.client().send(new TransportType.Tcp("127.0.0.1:1/x"), Map.of(), new byte[2048]))
          .isInstanceOfSatisfying(DynamoException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument);
            assertThat(e.getMessage()).startsWith("Request payload is too large for this deployment.");
          });
    }
  }
}
