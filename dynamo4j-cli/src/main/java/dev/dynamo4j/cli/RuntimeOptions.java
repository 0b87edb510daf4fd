package dev.dynamo4j.cli;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.runtime.DistributedRuntime;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of the commands that build a whole runtime (discovery plus request plane). */
final class RuntimeOptions {
  @Mixin DiscoveryOptions discovery;

  @Option(names = "--request-plane", paramLabel = "tcp|nats|zmq", description = "Request plane: tcp, nats, or zmq (ours: DEALER/ROUTER); overrides DYN_REQUEST_PLANE (default tcp).")
  String requestPlane;

  @Option(names = "--event-plane", paramLabel = "zmq|nats", description = "Event plane; overrides DYN_EVENT_PLANE (default zmq).")
  String eventPlane;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on and advertise (DYN_TCP_RPC_HOST and DYN_TCP_RESPONSE_STREAM_HOST); default 127.0.0.1, 'auto' picks the first non-loopback IPv4.")
  String host;

  @Option(names = "--system-port", paramLabel = "PORT",
      description = "Run the system status server (/health, /live, /metrics) on this port; 0 picks a free one, -1 turns it off. "
          + "Overrides DYN_SYSTEM_PORT (default -1); it binds DYN_SYSTEM_HOST (default 0.0.0.0).")
  Integer systemPort;

  RuntimeConfig config() {
    RuntimeConfig.Builder b = discovery.config().toBuilder();
    if (requestPlane != null) {
      b.requestPlane(requestPlane);
    }
    if (eventPlane != null) {
      b.eventPlane(eventPlane);
    }
    if (host != null) {
      b.tcpRpcHost(host).tcpResponseStreamHost(host);
    }
    if (systemPort != null) {
      b.systemPort(systemPort);
    }
    return b.build();
  }

  DistributedRuntime build() {
    return DistributedRuntime.builder().config(config()).build();
  }

  /** The status server's URL for a person to open, or null when it is not running. */
  static String statusUrl(DistributedRuntime rt) {
    int port = rt.systemStatusPort();
    if (port < 0) {
      return null;
    }
    String host = rt.config().systemHost();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    }
    return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port + "/";
  }
}
