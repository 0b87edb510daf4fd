package dev.dynamo4j.testkit;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;

/**
 * A caller process for cross-process tests (run with {@link ChildJvm}): {@code <file kv root>
 * <endpoint path> <request plane> [<zmq response path> [<nats url>]]} ({@code -} for no NATS URL). Asks {@code <endpoint path>} (an engine taking an {@code
 * Integer} count and streaming strings) for {@link Integer#MAX_VALUE} items, reads the first,
 * prints {@code READING <request id>} and then stops reading (never closes the stream), so the
 * worker fills the stream's window and waits; the test then kills this process.
 */
public final class StalledCallerChild {
  private StalledCallerChild() {}

  public static void main(String[] args) throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(Path.of(args[0]))
        .requestPlane(args[2]).variable("DYN_ZMQ_RESPONSE_PATH", args.length > 3 ? args[3] : "tcp")
        .variable("NATS_SERVER", args.length > 4 && !args[4].equals("-") ? args[4] : null).build();
    DistributedRuntime rt = DistributedRuntime.builder().config(cfg).build();
    Client<Integer, String> client = rt.endpoint(args[1]).client(String.class);
    client.waitForInstances(Duration.ofSeconds(30));
    Context<Integer> request = Context.withId(Integer.MAX_VALUE, "stalled-caller");
    Iterator<String> it = client.generate(request).iterator();
    it.next();
    System.out.println("READING " + request.id());
    System.out.flush();
    Thread.currentThread().join(); // ends when the test kills this process
  }
}
