package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller's DEALER to a worker address retires once idle ({@code dynamo4j.zmq.dealerIdleMillis},
 * short here), so threads and sockets do not pile up for workers it no longer calls, and no
 * request is lost to a DEALER that retires while it is handed over.
 */
@Timeout(60)
class ZmqDealerRetirementTest {
  private static final String PROPERTY = "dynamo4j.zmq.dealerIdleMillis";
  private final List<DistributedRuntime> runtimes = new ArrayList<>();

  @BeforeEach
  void shortIdle() {
    System.setProperty(PROPERTY, "150");
  }

  @AfterEach
  void restore() {
    System.clearProperty(PROPERTY);
    runtimes.forEach(DistributedRuntime::close);
  }

  private DistributedRuntime runtime(String responsePath) {
    DistributedRuntime rt = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("mem").requestPlane("zmq").variable("DYN_ZMQ_RESPONSE_PATH", responsePath).build())
        .build();
    runtimes.add(rt);
    return rt;
  }

  private Client<String, String> echo(String ns, String responsePath) throws InterruptedException {
    runtime(responsePath).namespace(ns).component("c").endpoint("echo").serve(String.class, (Context<String> req) ->
        ResponseStream.of(req.controller(), List.of(req.value())));
    Client<String, String> c = runtime(responsePath).namespace(ns).component("c").endpoint("echo").client(String.class);
    c.waitForInstances(Duration.ofSeconds(10));
    return c;
  }

  private static long dealers(DistributedRuntime caller) {
    return caller.requestPlane().gauges().get("dealers");
  }

  @Test
  void anIdleDealerRetiresAndTheNextCallOpensANewOne() throws Exception {
    for (String path : List.of("tcp", "zmq")) {
      Client<String, String> c = echo("retire" + path, path);
      DistributedRuntime caller = runtimes.get(runtimes.size() - 1);
      assertThat(c.call("one").toList()).containsExactly("one");
      assertThat(dealers(caller)).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> dealers(caller) == 0L);
      assertThat(c.call("two").toList()).as("after the DEALER retired (" + path + " path)").containsExactly("two");
      assertThat(dealers(caller)).isEqualTo(1);
    }
  }

  @Test
  void callsThatRaceTheRetirementAreNeverLost() throws Exception {
    Client<String, String> c = echo("race", "tcp");
    // pauses around the idle time: some calls find the DEALER about to retire, some a new one
    for (int i = 0; i < 30; i++) {
      assertThat(c.call("x" + i).toList()).containsExactly("x" + i);
      LockSupport.parkNanos(Duration.ofMillis(ThreadLocalRandom.current().nextInt(120, 180)).toNanos()); // spacing calls, not waiting for a condition
    }
  }
}
