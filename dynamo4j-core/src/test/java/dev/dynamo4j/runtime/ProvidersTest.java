package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.config.Providers;
import dev.dynamo4j.internal.discovery.Discoveries;
import dev.dynamo4j.spi.network.RequestPlaneProvider;
import org.junit.jupiter.api.Test;

/** One lookup for every plug-in kind, one error: core alone has only its own providers. */
class ProvidersTest {
  @Test
  void aMissingPlugInNamesWhatWasAskedForAndWhatIsThere() {
    assertThatThrownBy(() -> Providers.select(RequestPlaneProvider.class, "request plane", "tcp", RequestPlaneProvider::name,
            RequestPlaneProvider::isAvailable, RequestPlaneProvider::priority))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
        .hasMessage("request plane 'tcp' is not available: put the dynamo4j module that provides it on the class path (have: in_process)");
    assertThat(Discoveries.available()).containsExactly("file", "mem");
  }

  @Test
  void aNameNoModuleOffersIsBadInputNamingWhatIsOffered() {
    // core alone offers no request or event plane to the environment, and only its own stores
    assertThatThrownBy(() -> RuntimeConfig.builder().requestPlane("tcp"))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument))
        .hasMessage("Invalid request plane mode: 'tcp'. Valid options are: none (no module that provides one is on the class path)");
    assertThatThrownBy(() -> RuntimeConfig.builder().eventPlane("zmq"))
        .hasMessage("Invalid DYN_EVENT_PLANE value 'zmq'. Valid values: none (no module that provides one is on the class path)");
    assertThatThrownBy(() -> RuntimeConfig.builder().discoveryBackend("etcd"))
        .hasMessage("Unknown DYN_DISCOVERY_BACKEND value 'etcd'. Valid options: file, mem");
    // core's own plane is always there, in code
    assertThat(RuntimeConfig.builder().requestPlane(RuntimeConfig.IN_PROCESS).eventPlane(RuntimeConfig.IN_PROCESS).build().requestPlane())
        .isEqualTo(RuntimeConfig.IN_PROCESS);
  }

  @Test
  void theDefaultEventPlaneWithoutItsModuleFailsWhenFirstUsed() {
    try (DistributedRuntime rt = DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("mem")
        .requestPlane(RuntimeConfig.IN_PROCESS).build()).build()) {
      assertThatThrownBy(rt::eventTransport)
          .hasMessage("event plane 'zmq' is not available: put the dynamo4j module that provides it on the class path (have: in_process)");
    }
  }
}
