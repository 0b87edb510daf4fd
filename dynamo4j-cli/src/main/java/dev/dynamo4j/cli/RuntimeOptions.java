package dev.dynamo4j.cli;

import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of the commands that build a whole runtime (discovery plus request plane). */
final class RuntimeOptions {
  @Mixin DiscoveryOptions discovery;

  @Option(names = "--request-plane", paramLabel = "tcp|nats", description = "Request plane; overrides DYN_REQUEST_PLANE (default tcp).")
  String requestPlane;

  @Option(names = "--event-plane", paramLabel = "zmq|nats", description = "Event plane; overrides DYN_EVENT_PLANE (default zmq).")
  String eventPlane;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on and advertise (DYN_TCP_RPC_HOST and DYN_TCP_RESPONSE_STREAM_HOST); default 127.0.0.1, 'auto' picks the first non-loopback IPv4.")
  String host;

  RuntimeConfig config() {
    RuntimeConfig.Builder b = discovery.config().toBuilder();
    if (requestPlane != null) {
      b.requestPlane(requestPlane);
    }
    if (eventPlane != null) {
      b.eventPlane(RuntimeConfig.EventPlaneMode.parse(eventPlane));
    }
    if (host != null) {
      b.tcpRpcHost(host).tcpResponseStreamHost(host);
    }
    return b.build();
  }

  DistributedRuntime build() {
    return DistributedRuntime.builder().config(config()).build();
  }
}
