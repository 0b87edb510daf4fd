package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.network.FrameChannel;
import dev.dynamo4j.spi.network.PendingStream;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.ConnectionInfo;
import dev.dynamo4j.wire.StreamType;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;

/**
 * The TCP call-home response plane on its own, for request planes that carry requests some other
 * way (NATS) but return responses over TCP as Dynamo does. Owns a small event-loop group, closed
 * with the plane.
 */
public final class TcpCallHome {
  private TcpCallHome() {}

  public static ResponsePlane create(RuntimeConfig config) {
    EventLoopGroup group = Transports.group(2);
    TcpResponsePlane plane = new TcpResponsePlane(
        group,
        Hosts.choose(config.tcpResponseStreamHost(), "DYN_TCP_RESPONSE_STREAM_HOST"),
        config.tcpResponseStreamPort(),
        config.tcpMaxMessageSize(),
        config.tcpConnectTimeout(), config.responseStreams(), TcpTls.create(config.tcpTls()), config.tcpServerLimits(),
        TcpSettings.muxIdle(config));
    return new ResponsePlane() {
      @Override
      public String transport() {
        return plane.transport();
      }

      @Override
      public PendingStream expect(String requestId, StreamType type) {
        return plane.expect(requestId, type);
      }

      @Override
      public FrameChannel dial(ConnectionInfo info, String requestId) throws InterruptedException {
        return plane.dial(info, requestId);
      }

      @Override
      public FrameChannel dialNow(ConnectionInfo info, String requestId) {
        return plane.dialNow(info, requestId); // direct mode on the ZMQ plane
      }

      @Override
      public void close() {
        plane.close();
        Transports.shutdown(group, Duration.ofSeconds(2));
      }
    };
  }
}
