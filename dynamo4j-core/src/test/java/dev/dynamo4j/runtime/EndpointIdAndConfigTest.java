package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.EndpointId;
import dev.dynamo4j.wire.PayloadCodec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointIdAndConfigTest {
  @Test
  void endpointIdFormsOfProtocolsRs() {
    assertThat(EndpointId.parse("component")).isEqualTo(new EndpointId("NS", "component", "E"));
    assertThat(EndpointId.parse("namespace.component.endpoint")).isEqualTo(new EndpointId("namespace", "component", "endpoint"));
    assertThat(EndpointId.parse("namespace/component")).isEqualTo(new EndpointId("namespace", "component", "E"));
    assertThat(EndpointId.parse("namespace.component.endpoint.other.parts")).isEqualTo(new EndpointId("namespace", "component", "endpoint_other_parts"));
    assertThat(EndpointId.parse("namespace/component.endpoint")).isEqualTo(new EndpointId("namespace", "component", "endpoint"));
    assertThat(EndpointId.parse("")).isEqualTo(new EndpointId("NS", "C", "E"));
    assertThat(EndpointId.parse("   ")).isEqualTo(new EndpointId("NS", "C", "E"));
    assertThat(EndpointId.parse("dyn://ns.comp.ep")).isEqualTo(new EndpointId("ns", "comp", "ep"));
    assertThat(EndpointId.parse("ns/comp").asUrl()).isEqualTo("dyn://ns.comp.E");
  }

  @Test
  void defaultsEnvAndBuilderOverridesInThatOrder() {
    RuntimeConfig d = RuntimeConfig.builder().build();
    assertThat(d.discoveryBackend()).isEqualTo("file");
    assertThat(d.requestPlane()).isEqualTo("tcp");
    assertThat(d.requestPlaneCodec()).isEqualTo(PayloadCodec.MSGPACK);
    assertThat(d.tcpMaxMessageSize()).isEqualTo(33554432);
    assertThat(d.inhibitedDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.systemPort()).isEqualTo(-1);

    Map<String, String> env = Map.of("DYN_DISCOVERY_BACKEND", "mem", "DYN_REQUEST_PLANE", "NATS", "DYN_REQUEST_PLANE_CODEC", "json", "DYN_TCP_RPC_PORT", " ");
    RuntimeConfig e = RuntimeConfig.builder(env).build();
    assertThat(e.discoveryBackend()).isEqualTo("mem");
    assertThat(e.requestPlane()).as("core alone offers no request plane for DYN_REQUEST_PLANE, so Dynamo's fallback").isEqualTo("tcp");
    assertThat(e.requestPlaneCodec()).isEqualTo(PayloadCodec.JSON);
    assertThat(e.tcpRpcPort()).isZero();
    assertThat(RuntimeConfig.builder(env).discoveryBackend("file").build().discoveryBackend()).isEqualTo("file");
  }

  @Test
  void invalidValuesFailWithDynamosTexts() {
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_DISCOVERY_BACKEND", "zookeeper")).build())
        .hasMessage("Unknown DYN_DISCOVERY_BACKEND value 'zookeeper'. Valid options: file, mem");
    // core alone offers no event plane to DYN_EVENT_PLANE; with the modules: PlugInNamesTest in the CLI
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_EVENT_PLANE", "kafka")).build())
        .hasMessage("Invalid DYN_EVENT_PLANE value 'kafka'. Valid values: none (no module that provides one is on the class path)");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_EVENT_PLANE_CODEC", "xml")).build())
        .hasMessage("Invalid DYN_EVENT_PLANE_CODEC value 'xml'. Valid values: 'json', 'msgpack'");
    assertThatThrownBy(() -> RuntimeConfig.builder().requestPlane(" "))
        .hasMessage("DYN_REQUEST_PLANE names no plug-in: the value is empty");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_RESPONSE_STREAM_PORT", "65536")).build())
        .hasMessage("invalid DYN_TCP_RESPONSE_STREAM_PORT: '65536' is not a valid port number");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_RESPONSE_PLANE", "carrier-pigeon")).build())
        .hasMessage("invalid DYN_RESPONSE_PLANE value 'carrier-pigeon'; expected 'tcp', 'quic', or 'velo'");
  }

  @Test
  void tlsSettingsFollowDynamosPairingRules() {
    // server role: both or neither; a client CA needs the server certificate
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_TLS_CERT_PATH", "/etc/dynamo/tls.crt")).build())
        .hasMessage("both DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH must be set to enable TCP TLS on the server side");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_TLS_CLIENT_CA_CERT_PATH", "/ca.pem")).build())
        .hasMessage("DYN_TCP_TLS_CLIENT_CA_CERT_PATH requires DYN_TCP_TLS_CERT_PATH and DYN_TCP_TLS_KEY_PATH to also be set");
    // client role: a client identity comes as a pair, and TLS needs a CA or insecure mode
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_TLS_CLIENT_CERT_PATH", "/c.pem", "DYN_TCP_TLS_CA_CERT_PATH", "/ca.pem")).build())
        .hasMessageContaining("DYN_TCP_TLS_CLIENT_CERT_PATH and DYN_TCP_TLS_CLIENT_KEY_PATH must be set together");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_TLS_CLIENT_CERT_PATH", "/c.pem", "DYN_TCP_TLS_CLIENT_KEY_PATH", "/k.pem")).build())
        .hasMessageContaining("DYN_TCP_TLS_CA_CERT_PATH is not set and DYN_TCP_TLS_INSECURE is not true");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_TLS_INSECURE", "1", "DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS", "0")).build())
        .hasMessageContaining("Invalid DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS value '0': expected a positive number of seconds");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_TCP_TLS_PROVIDER", "gnutls")).build())
        .hasMessageContaining("Invalid DYN_TCP_TLS_PROVIDER value 'gnutls': expected one of auto, openssl, jdk");

    var insecure = RuntimeConfig.builder(Map.of("DYN_TCP_TLS_INSECURE", "Yes")).build().tcpTls();
    assertThat(insecure.clientEnabled()).isTrue();
    assertThat(insecure.serverEnabled()).isFalse();
    assertThat(insecure.handshakeTimeout()).hasSeconds(3);
    var full = RuntimeConfig.builder(Map.of("DYN_TCP_TLS_CERT_PATH", "/s.pem", "DYN_TCP_TLS_KEY_PATH", "/s.key", "DYN_TCP_TLS_CLIENT_CA_CERT_PATH", "/ca.pem",
        "DYN_TCP_TLS_CA_CERT_PATH", "/ca.pem", "DYN_TCP_TLS_SERVER_NAME", "worker.local", "DYN_TCP_TLS_HANDSHAKE_TIMEOUT_SECS", "7")).build().tcpTls();
    assertThat(full.serverEnabled()).isTrue();
    assertThat(full.mutual()).isTrue();
    assertThat(full.clientEnabled()).isTrue();
    assertThat(full.serverName()).isEqualTo("worker.local");
    assertThat(full.handshakeTimeout()).hasSeconds(7);
    // blank counts as unset; "0" is not truthy
    assertThat(RuntimeConfig.builder(Map.of("DYN_TCP_TLS_CA_CERT_PATH", " ", "DYN_TCP_TLS_INSECURE", "0")).build().tcpTls().clientEnabled()).isFalse();
  }

  @Test
  void lenientVariablesFallBackToTheirDefaults() {
    assertThat(RuntimeConfig.builder(Map.of("DYN_REQUEST_PLANE", "bogus")).build().requestPlane()).isEqualTo("tcp");
    assertThat(RuntimeConfig.builder(Map.of("DYN_REQUEST_PLANE_CODEC", "bogus")).build().requestPlaneCodec()).isEqualTo(PayloadCodec.MSGPACK);
    assertThat(RuntimeConfig.builder(Map.of("DYN_RUNTIME_INHIBITED_DURATION_SECS", "17")).build().inhibitedDuration()).isEqualTo(Duration.ofSeconds(17));
    assertThat(RuntimeConfig.builder(Map.of("DYN_RUNTIME_INHIBITED_DURATION_SECS", "0")).build().inhibitedDuration()).isZero();
    assertThat(RuntimeConfig.builder(Map.of("DYN_RUNTIME_INHIBITED_DURATION_SECS", "junk")).build().inhibitedDuration()).isEqualTo(Duration.ofSeconds(5));
    assertThat(RuntimeConfig.builder(Map.of("DYN_TCP_RESPONSE_STREAM_PORT", " 8080 ")).build().tcpResponseStreamPort()).isEqualTo(8080);
    assertThat(RuntimeConfig.builder(Map.of("DYN_WORKER_GRACEFUL_SHUTDOWN_TIMEOUT", "x")).build().gracefulShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aBackendWithoutItsModuleIsAClearError() {
    assertThatThrownBy(() -> RuntimeConfig.builder().discoveryBackend("etcd"))
        .hasMessage("Unknown DYN_DISCOVERY_BACKEND value 'etcd'. Valid options: file, mem");
    // the default request plane is not checked until the runtime is built
    assertThatThrownBy(() -> DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("mem").build()).build())
        .hasMessageContaining("request plane 'tcp' is not available");
  }
}
