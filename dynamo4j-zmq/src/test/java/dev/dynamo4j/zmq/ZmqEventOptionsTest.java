package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.error.DynamoException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZmqEventOptionsTest {
  @Test
  void defaultsAreDynamosAndTheEnvironmentOverridesThem() {
    ZmqEventOptions d = ZmqSettings.events(RuntimeConfig.builder(Map.of()).build());
    assertThat(d.ioThreads()).isEqualTo(4);
    assertThat(d.sendTimeout()).isZero();
    assertThat(d.brokerReadyTimeout()).isEqualTo(Duration.ofSeconds(5));
    ZmqEventOptions o = ZmqSettings.events(RuntimeConfig.builder(Map.of("DYN_ZMQ_IO_THREADS", "2", "DYN_ZMQ_SEND_TIMEOUT_MS", "-1",
        "DYN_ZMQ_BROKER_READY_TIMEOUT_MS", "250")).build());
    assertThat(o.ioThreads()).isEqualTo(2);
    assertThat(o.sendTimeout()).isEqualTo(ZmqEventOptions.FOREVER);
    assertThat(o.brokerReadyTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(ZmqSettings.events(RuntimeConfig.builder(Map.of("DYN_ZMQ_SEND_TIMEOUT_MS", "1500")).build()).sendTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void badValuesAreRefusedNamingTheVariable() {
    for (String bad : new String[] {"0", "-3", "four", "2147483648"}) {
      assertThatThrownBy(() -> ZmqSettings.events(RuntimeConfig.builder(Map.of("DYN_ZMQ_IO_THREADS", bad)).build()))
          .isInstanceOf(DynamoException.class).hasMessageContaining("DYN_ZMQ_IO_THREADS");
    }
    for (String bad : new String[] {"-2", "soon", "2147483648"}) {
      assertThatThrownBy(() -> ZmqSettings.events(RuntimeConfig.builder(Map.of("DYN_ZMQ_SEND_TIMEOUT_MS", bad)).build()))
          .isInstanceOf(DynamoException.class).hasMessageContaining("DYN_ZMQ_SEND_TIMEOUT_MS");
    }
    assertThatThrownBy(() -> ZmqSettings.events(RuntimeConfig.builder(Map.of("DYN_ZMQ_BROKER_READY_TIMEOUT_MS", "0")).build()))
        .isInstanceOf(DynamoException.class).hasMessageContaining("DYN_ZMQ_BROKER_READY_TIMEOUT_MS");
  }
}
