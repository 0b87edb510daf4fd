package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.Discoveries;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import org.junit.jupiter.api.Test;

/** One lookup for every plug-in kind, one error: core alone has only its own providers. */
class ProvidersTest {
  @Test
  void aMissingPlugInNamesWhatWasAskedForAndWhatIsThere() {
    assertThatThrownBy(() -> DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("mem")
            .requestPlane("tcp").build()).build())
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Unavailable))
        .hasMessage("request plane 'tcp' is not available: put the dynamo4j module that provides it on the class path (have: in_process)");
    assertThatThrownBy(() -> Discoveries.create(RuntimeConfig.builder().discoveryBackend("etcd").build()))
        .hasMessage("discovery backend 'etcd' is not available: put the dynamo4j module that provides it on the class path (have: file, mem)");
    try (DistributedRuntime rt = DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("mem")
        .requestPlane(RuntimeConfig.IN_PROCESS).eventPlane("zmq").build()).build()) {
      assertThatThrownBy(rt::eventTransport)
          .hasMessage("event plane 'zmq' is not available: put the dynamo4j module that provides it on the class path (have: in_process)");
    }
    assertThat(Discoveries.available()).containsExactly("file", "mem");
  }
}
