package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.discovery.DiscoveryProvider;
import dev.dynamo4j.spi.events.EventTransportProvider;
import dev.dynamo4j.spi.network.RequestPlaneProvider;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * With every module on the class path (as in the CLI), the plug-in names the environment may use
 * are exactly the ones the providers answer to, and invalid values fail with Dynamo's texts. Core
 * knows none of these names: each module offers its own.
 */
class PlugInNamesTest {
  @Test
  void everyProviderIsOfferedUnderItsVariableAndNothingElseIs() {
    assertThat(Settings.choices(Settings.REQUEST_PLANE_VARIABLE))
        .isEqualTo(names(RequestPlaneProvider.class, RequestPlaneProvider::name)).containsExactly("nats", "tcp", "zmq");
    assertThat(Settings.choices(Settings.EVENT_PLANE_VARIABLE))
        .isEqualTo(names(EventTransportProvider.class, EventTransportProvider::name)).containsExactly("nats", "zmq");
    assertThat(Settings.choices(Settings.DISCOVERY_BACKEND_VARIABLE))
        .isEqualTo(names(DiscoveryProvider.class, DiscoveryProvider::name)).containsExactly("etcd", "file", "kubernetes", "mem", "nats");
  }

  @Test
  void invalidNamesFailWithDynamosTextsListingTheModulesThatAreThere() {
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_DISCOVERY_BACKEND", "zookeeper")).build())
        .hasMessage("Unknown DYN_DISCOVERY_BACKEND value 'zookeeper'. Valid options: etcd, file, kubernetes, mem, nats");
    assertThatThrownBy(() -> RuntimeConfig.builder(Map.of("DYN_EVENT_PLANE", "kafka")).build())
        .hasMessage("Invalid DYN_EVENT_PLANE value 'kafka'. Valid values: 'nats', 'zmq'");
    // Dynamo warns and uses tcp for a request plane it does not know
    assertThat(RuntimeConfig.builder(Map.of("DYN_REQUEST_PLANE", "http")).build().requestPlane()).isEqualTo("tcp");
    assertThat(RuntimeConfig.builder(Map.of("DYN_REQUEST_PLANE", "NATS")).build().requestPlane()).isEqualTo("nats");
    assertThat(RuntimeConfig.builder(Map.of("DYN_REQUEST_PLANE", "zmq", "DYN_EVENT_PLANE", "nats", "DYN_DISCOVERY_BACKEND", "Etcd")).build())
        .satisfies(c -> {
          assertThat(c.requestPlane()).isEqualTo("zmq");
          assertThat(c.eventPlane()).isEqualTo("nats");
          assertThat(c.discoveryBackend()).isEqualTo("etcd");
        });
    // the in-process plane is core's and set in code only
    assertThat(RuntimeConfig.builder(Map.of("DYN_REQUEST_PLANE", RuntimeConfig.IN_PROCESS)).build().requestPlane()).isEqualTo("tcp");
  }

  private static <P> List<String> names(Class<P> type, Function<P, String> name) {
    return ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).map(name)
        .filter(n -> !n.equals(RuntimeConfig.IN_PROCESS)).sorted().distinct().toList();
  }
}
