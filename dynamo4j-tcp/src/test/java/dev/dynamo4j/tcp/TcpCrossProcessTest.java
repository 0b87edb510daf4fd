package dev.dynamo4j.tcp;

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
import dev.dynamo4j.testkit.ChildJvm;
import dev.dynamo4j.testkit.CrossProcessScenarios;
import dev.dynamo4j.testkit.StreamingWorkerChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers in other JVMs, found through the file store, called over TCP. */
@Timeout(120)
class TcpCrossProcessTest {
  @TempDir Path root;

  @Test
  void aWorkerKilledMidStreamIsDisconnectedWithinASecondAndTheNextRequestGoesToALiveOne() throws Exception {
    CrossProcessScenarios.aWorkerKilledMidStreamIsDisconnectedAndTheNextRequestGoesToALiveOne(root, "xp", "tcp");
  }

  @Test
  void aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream() throws Exception {
    CrossProcessScenarios.aCallerKilledWhileTheWorkerWaitsOnItEndsTheWorkersStream(root, "tc", "tcp");
  }

  @Test
  void killingAWorkerWithAHundredStreamsOnOneMuxConnectionFailsEachWithinASecondAndSparesTheOthers() throws Exception {
    try (ChildJvm a = ChildJvm.start(StreamingWorkerChild.class, root.toString(), "mux100", "alpha", "tcp", "1");
        ChildJvm b = ChildJvm.start(StreamingWorkerChild.class, root.toString(), "mux100", "beta", "tcp", "1");
        DistributedRuntime caller = DistributedRuntime.builder().config(RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root).build()).build()) {
      long idA = Long.parseUnsignedLong(a.awaitLine("READY ", Duration.ofSeconds(60)).substring(6), 16);
      long idB = Long.parseUnsignedLong(b.awaitLine("READY ", Duration.ofSeconds(60)).substring(6), 16);
      Client<Integer, String> client = caller.endpoint("mux100/worker/generate").client(String.class);
      client.waitUntil(l -> l.size() == 2, Duration.ofSeconds(20));

      List<Iterator<String>> onA = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Iterator<String> it = client.direct(Context.of(100_000), idA).iterator();
        assertThat(it.next()).isEqualTo("alpha-0");
        onA.add(it);
      }
      List<Iterator<String>> onB = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Iterator<String> it = client.direct(Context.of(100_000), idB).iterator();
        assertThat(it.next()).isEqualTo("beta-0");
        onB.add(it);
      }
      assertThat(client.inFlight(idA)).isEqualTo(100);

      long killedAt = System.nanoTime();
      a.kill();
      List<Thread> readers = new ArrayList<>();
      List<Long> failedAfterMs = Collections.synchronizedList(new ArrayList<>());
      List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
      for (Iterator<String> it : onA) {
        readers.add(Thread.ofVirtual().start(() -> {
          try {
            while (it.hasNext()) {
              it.next();
            }
            unexpected.add(new AssertionError("stream ended cleanly"));
          } catch (DynamoException e) {
            failedAfterMs.add((System.nanoTime() - killedAt) / 1_000_000);
            if (e.type() != ErrorType.Disconnected) {
              unexpected.add(e);
            }
          }
        }));
      }
      for (Thread t : readers) {
        t.join(Duration.ofSeconds(20));
      }
      assertThat(unexpected).isEmpty();
      assertThat(failedAfterMs).hasSize(100);
      long worst = failedAfterMs.stream().mapToLong(Long::longValue).max().orElseThrow();
      System.out.println("kill -9 of a worker with 100 mux streams: last stream failed after " + worst + " ms");
      assertThat(worst).as("every stream learns of the death within a second").isLessThan(1000);
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> client.inFlight(idA) == 0);

      for (Iterator<String> it : onB) {
        for (int i = 1; i <= 3; i++) {
          assertThat(it.next()).isEqualTo("beta-" + i);
        }
      }
    }
  }

  @Test
  void aFrozenWorkerIsAResponseTimeoutAfterTheInactivityDeadline() throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root)
        .responseStreams(ResponseStreamOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(1500))).build();
    try (ChildJvm w = ChildJvm.start(StreamingWorkerChild.class, root.toString(), "frozen", "ice");
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      w.awaitLine("READY ", Duration.ofSeconds(60));
      Client<Integer, String> client = caller.endpoint("frozen/worker/generate").client(String.class);
      client.waitForInstances(Duration.ofSeconds(20));
      Iterator<String> it = client.call(100_000).iterator();
      assertThat(it.next()).isEqualTo("ice-0");
      // SIGSTOP: the process holds its sockets open and sends nothing, not even a FIN.
      assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(w.pid())).start().waitFor()).isZero();
      try {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> {
              while (it.hasNext()) {
                it.next();
              }
            })
            .isInstanceOfSatisfying(DynamoException.class, e -> {
              assertThat(e.type()).isEqualTo(ErrorType.ResponseTimeout);
              assertThat(e.getMessage()).contains("DYN_HTTP_BACKEND_STREAM_TIMEOUT_SECS");
            });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("SIGSTOPped mux worker: ResponseTimeout after " + ms + " ms");
        assertThat(ms).isLessThan(20_000);
      } finally {
        new ProcessBuilder("kill", "-CONT", Long.toString(w.pid())).start().waitFor();
      }
    }
  }

  @Test
  void tenThousandConcurrentStreamsFromOneCallerJvmCompleteWithin512MiBOfHeap() throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(root).build();
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build()) {
      worker.namespace("tenk").component("worker").endpoint("generate").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.generate(req, out -> {
            for (int i = 0; i < req.value() && out.emit("item-" + i); i++) {
              // as fast as the stream's window allows
            }
          }));
      long t0 = System.nanoTime();
      try (ChildJvm caller = ChildJvm.start(List.of("-Xmx512m"), TcpManyStreamsChild.class, root.toString(), "tenk", "10000", "20")) {
        String[] done = caller.awaitLine("DONE ", Duration.ofMinutes(4)).split(" ");
        System.out.printf("10,000 concurrent streams: %s ok, %s failed, %s items in %d ms, caller heap in use at most %d MiB, slowest call to its stream %s ms%n",
            done[1], done[2], done[3], (System.nanoTime() - t0) / 1_000_000, Long.parseLong(done[4]) >> 20, done[5]);
        assertThat(Long.parseLong(done[1])).isEqualTo(10_000);
        assertThat(Long.parseLong(done[2])).isZero();
        assertThat(Long.parseLong(done[3])).isEqualTo(200_000);
        // -Xmx512m: an OutOfMemoryError would have failed streams above; the sampled peak is reported.
        assertThat(Long.parseLong(done[4])).isPositive().isLessThanOrEqualTo(512L << 20);
      }
    }
  }

  @Test
  void aThousandConcurrentStreamsOnOneClientAllComplete() throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("mem").build();
    try (DistributedRuntime worker = DistributedRuntime.builder().config(cfg).build();
        DistributedRuntime caller = DistributedRuntime.builder().config(cfg).build()) {
      worker.namespace("thousand").component("c").endpoint("e").serve(Integer.class, (Context<Integer> req) ->
          ResponseStream.generate(req, out -> {
            for (int i = 0; i < req.value(); i++) {
              if (!out.emit("x" + i)) {
                return;
              }
            }
          }));
      Client<Integer, String> client = caller.endpoint("thousand/c/e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));
      Runtime rt = Runtime.getRuntime();
      System.gc();
      long before = rt.totalMemory() - rt.freeMemory();
      int streams = 1000;
      AtomicLong items = new AtomicLong();
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        threads.add(Thread.ofVirtual().start(() -> {
          try (ResponseStream<String> s = client.call(50)) {
            for (String ignored : s) {
              items.incrementAndGet();
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }));
      }
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(60));
      }
      assertThat(failures).isEmpty();
      assertThat(items.get()).isEqualTo(streams * 50L);
      System.gc();
      long after = rt.totalMemory() - rt.freeMemory();
      System.out.printf("1000 streams x 50 items: heap in use %d MiB before, %d MiB after%n", before >> 20, after >> 20);
      assertThat(client.inFlight(client.instances().get(0).instanceId())).isZero();
    }
  }
}
