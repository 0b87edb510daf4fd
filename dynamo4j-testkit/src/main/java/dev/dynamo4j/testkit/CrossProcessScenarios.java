package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/** Scenarios with workers in other JVMs ({@link StreamingWorkerChild}), for each request plane's tests. */
public final class CrossProcessScenarios {
  private CrossProcessScenarios() {}

  /**
   * Waits until {@code count} stops changing (the same value 200 ms apart) and returns it; fails
   * with {@code what} if it still changes after {@code atMost}. For "the producer is held back":
   * there is no event to wait for, only the absence of progress.
   */
  public static int awaitSettled(IntSupplier count, Duration atMost, String what) {
    long deadline = System.nanoTime() + atMost.toNanos();
    int before;
    do {
      assertThat(System.nanoTime() - deadline).as(what + " (still changing after " + atMost.toSeconds() + " s)").isNegative();
      before = count.getAsInt();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // pace of the check, not a wait for an event
    } while (count.getAsInt() != before);
    return before;
  }

  /** The plane, and on ZMQ its response path, for the figures the scenarios print. */
  private static String label(String plane, String zmqResponsePath) {
    return plane.equals("zmq") ? plane + " (response path " + zmqResponsePath + ")" : plane;
  }

  /**
   * Two workers on {@code plane} found through the file store under {@code root}; a stream from
   * the first is cut by {@code kill -9}: the caller gets {@code Disconnected} within a second, and
   * its next request goes to the live worker (the dead one is inhibited before its record goes).
   */
  public static void aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(Path root, String ns, String plane)
      throws Exception {
    aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(root, ns, plane, "tcp");
  }

  /** As above, with {@code DYN_ZMQ_RESPONSE_PATH} = {@code zmqResponsePath} on every side. */
  public static void aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(
      Path root, String ns, String plane, String zmqResponsePath) throws Exception {
    aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(root, ns, plane, zmqResponsePath, null);
  }

  /**
   * As above; {@code natsServer} (or null) is the NATS URL every side uses, for the NATS request
   * plane.
   */
  public static void aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(
      Path root, String ns, String plane, String zmqResponsePath, String natsServer) throws Exception {
    String mode = plane;
    String muxConnections = Integer.toString(ResponseStreamOptions.DEFAULTS.muxConnections());
    String nats = natsServer == null ? "-" : natsServer;
    RuntimeConfig.Builder callerConfig = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root).requestPlane(plane).variable("DYN_ZMQ_RESPONSE_PATH", zmqResponsePath);
    if (natsServer != null) {
      callerConfig.variable("NATS_SERVER", natsServer);
    }
    try (ChildJvm a = ChildJvm.start(StreamingWorkerChild.class, root.toString(), ns, "alpha", mode, muxConnections, zmqResponsePath, nats);
        ChildJvm b = ChildJvm.start(StreamingWorkerChild.class, root.toString(), ns, "beta", mode, muxConnections, zmqResponsePath, nats);
        DistributedRuntime caller = DistributedRuntime.builder().config(callerConfig.build()).build()) {
      long idA = Long.parseUnsignedLong(a.awaitLine("READY ", Duration.ofSeconds(60)).substring(6), 16);
      b.awaitLine("READY ", Duration.ofSeconds(60));
      Client<Integer, String> client = caller.endpoint(ns + "/worker/generate").client(String.class);
      client.waitUntil(l -> l.size() == 2, Duration.ofSeconds(20));

      Iterator<String> it = client.direct(Context.of(100_000), idA).iterator();
      for (int i = 0; i < 5; i++) {
        assertThat(it.next()).isEqualTo("alpha-" + i);
      }
      long killedAt = System.nanoTime();
      a.kill();
      assertThatThrownBy(() -> {
            while (it.hasNext()) {
              it.next();
            }
          })
          .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Disconnected));
      long ms = (System.nanoTime() - killedAt) / 1_000_000;
      System.out.println(label(plane, zmqResponsePath) + ": kill -9 to Disconnected: " + ms + " ms");
      assertThat(ms).as("the caller learns of the death within a second").isLessThan(1000);

      assertThat(client.call(3).toList()).containsExactly("beta-0", "beta-1", "beta-2");
    }
  }

  /**
   * A caller in another JVM ({@link StalledCallerChild}) on {@code plane} stops reading a long
   * stream from a worker in this JVM, so the worker's engine waits for the stream to drain; the
   * caller is then killed with {@code kill -9}: the worker notices (its engine is stopped and ends)
   * within 15 s and has no stream left open.
   */
  public static void aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(Path root, String ns, String plane)
      throws Exception {
    aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(root, ns, plane, "tcp");
  }

  /** As above, with {@code DYN_ZMQ_RESPONSE_PATH} = {@code zmqResponsePath} on both sides. */
  public static void aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(
      Path root, String ns, String plane, String zmqResponsePath) throws Exception {
    aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(root, ns, plane, zmqResponsePath, null);
  }

  /** As above; {@code natsServer} (or null) is the NATS URL both sides use, for the NATS request plane. */
  public static void aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(
      Path root, String ns, String plane, String zmqResponsePath, String natsServer) throws Exception {
    String mode = plane;
    CountDownLatch ended = new CountDownLatch(1);
    AtomicInteger emitted = new AtomicInteger();
    String item = "z".repeat(4096);
    try (DistributedRuntime worker = DistributedRuntime.builder()
        .config(RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root).requestPlane(plane).variable("DYN_ZMQ_RESPONSE_PATH", zmqResponsePath)
            .variable("NATS_SERVER", natsServer).build()).build()) {
      worker.namespace(ns).component("worker").endpoint("generate").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.generate(req, out -> {
            try {
              for (int i = 0; i < req.value() && out.emit(item); i++) {
                emitted.incrementAndGet();
              }
            } finally {
              ended.countDown();
            }
          }));
      try (ChildJvm caller = ChildJvm.start(StalledCallerChild.class, root.toString(), ns + "/worker/generate", mode, zmqResponsePath,
          natsServer == null ? "-" : natsServer)) {
        caller.awaitLine("READING ", Duration.ofSeconds(60));
        // the worker has filled what the stream holds and waits; then the caller dies
        awaitSettled(emitted::get, Duration.ofSeconds(20), "the worker stops emitting once the stalled stream is full (back-pressure)");
        long killedAt = System.nanoTime();
        caller.kill();
        assertThat(ended.await(15, TimeUnit.SECONDS)).as("the worker's engine ended after its caller was killed").isTrue();
        System.out.println(label(plane, zmqResponsePath) + ": caller kill -9 to the worker's engine ending: " + (System.nanoTime() - killedAt) / 1_000_000 + " ms, "
            + emitted.get() + " items emitted");
      }
    }
  }
}
