package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.internal.network.RouteTable;
import dev.dynamo4j.spi.network.RequestClient;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.spi.network.ResponsePlane;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamo's default request plane. One Netty event-loop group per runtime (threads: the number of
 * cores, at least 2) carries the shared request server, the pooled client and the call-home
 * response plane; event loops only frame bytes, handlers and consumers run on virtual threads.
 * Servers bind on first use; {@link #close()} stops everything and waits for the loops.
 */
public final class TcpRequestPlane implements RequestPlane {
  private final EventLoopGroup group;
  private final TcpRequestServer server;
  private final TcpRequestClient client;
  private final TcpResponsePlane responsePlane;
  private final TcpTls tls;

  public TcpRequestPlane(RuntimeConfig config) {
    this.tls = TcpTls.create(config.tcpTls()); // reads the certificate files: fails before anything starts
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.group = Transports.group(threads);
    long max = config.tcpMaxMessageSize();
    this.server =
        new TcpRequestServer(
            group,
            new RouteTable(config.tcpWorkerPoolSize(), config.tcpWorkQueueSize()),
            Hosts.choose(config.tcpRpcHost(), "DYN_TCP_RPC_HOST"),
            config.tcpRpcPort(),
            max,
            config.tcpServerLimits(),
            TcpTls.server(tls));
    this.client = new TcpRequestClient(group, config.tcpPoolSize(), config.tcpConnectTimeout(), config.tcpRequestTimeout(), max, TcpTls.client(tls));
    this.responsePlane =
        new TcpResponsePlane(
            group,
            Hosts.choose(config.tcpResponseStreamHost(), "DYN_TCP_RESPONSE_STREAM_HOST"),
            config.tcpResponseStreamPort(),
            max,
            config.tcpConnectTimeout(), config.responseStreams(), tls, config.tcpServerLimits(), TcpSettings.muxIdle(config));
  }

  /**
   * {@code server_connections} (request connections accepted), {@code client_connections}
   * (request connections this process opened), {@code mux_connections} (persistent response
   * connections this worker dialled), {@code mux_idle_closes_total} (of those, closed after
   * carrying no stream for {@code DYN_TCP_RESPONSE_MUX_IDLE_SECS}), {@code pending_streams} (requests waiting for their worker's
   * stream), the response-stream listener's {@code response_server_pending_bytes}, {@code
   * _budget_closures_total} and {@code _frame_timeouts_total} (as the request server's), and with TLS accepted {@code server_tls_handshake_failures_total} (connections whose
   * handshake failed or that did not speak TLS).
   */
  @Override
  public Map<String, Long> gauges() {
    Map<String, Long> g = new LinkedHashMap<>();
    g.put("server_connections", (long) server.openConnections());
    g.put("server_pending_bytes", server.pendingBytes());
    g.put("server_budget_closures_total", server.budgetClosures());
    g.put("server_frame_timeouts_total", server.frameTimeouts());
    g.put("client_connections", (long) client.openConnections());
    g.put("mux_connections", (long) responsePlane.muxConnections());
    g.put("mux_idle_closes_total", responsePlane.muxIdleCloses());
    g.put("pending_streams", (long) responsePlane.pendingStreams());
    g.put("response_server_pending_bytes", responsePlane.budget().held());
    g.put("response_server_budget_closures_total", responsePlane.budget().refused());
    g.put("response_server_frame_timeouts_total", responsePlane.budget().timedOut());
    TcpTls.Server ts = TcpTls.server(tls);
    if (ts != null) {
      g.put("server_tls_handshake_failures_total", ts.handshakeFailures.get());
    }
    return g;
  }

  /** {@code ack_latency_seconds}: from queueing a request to its worker's ACK. */
  @Override
  public Map<String, Histogram> histograms() {
    return Map.of("ack_latency_seconds", client.ackLatency());
  }

  @Override
  public String name() {
    return "tcp";
  }

  @Override
  public RequestServer server() {
    return server;
  }

  /** {@code host:port} of the request server, starting it if needed. */
  public String serverAddress() {
    return server.address();
  }

  @Override
  public RequestClient client() {
    return client;
  }

  @Override
  public boolean canReach(TransportType address) {
    return address instanceof TransportType.Tcp;
  }

  @Override
  public ResponsePlane responsePlane() {
    return responsePlane;
  }

  @Override
  public void close() {
    client.close();
    responsePlane.close();
    server.close();
    Transports.shutdown(group, Duration.ofSeconds(2));
  }
}
