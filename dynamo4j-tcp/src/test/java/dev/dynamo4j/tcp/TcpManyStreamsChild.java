package dev.dynamo4j.tcp;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caller process for the many-streams test: {@code <file kv root> <namespace> <streams> <items>}.
 * Opens every stream at once (all are open before any is drained), then drains them all, and
 * prints {@code DONE <ok> <failed> <items> <peak heap bytes>}.
 */
public final class TcpManyStreamsChild {
  public static void main(String[] args) throws Exception {
    // A burst of 10,000 requests into fresh JVMs on 2 cores shared with the worker: the last ACKs
    // and streams take longer than the default deadlines (5 s ACK, 30 s open), which would be an
    // overload answer; this test is about completing them all in a bounded heap.
    Duration patient = Duration.ofSeconds(120);
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(Path.of(args[0])).tcpRequestTimeout(patient)
        .responseStreams(ResponseStreamOptions.DEFAULTS.withTimeouts(patient, patient, patient)).build();
    int streams = Integer.parseInt(args[2]);
    int items = Integer.parseInt(args[3]);
    try (DistributedRuntime rt = DistributedRuntime.builder().config(cfg).build()) {
      Client<Integer, String> client = rt.endpoint(args[1] + "/worker/generate").client(String.class);
      client.waitForInstances(Duration.ofSeconds(30));
      CountDownLatch allOpen = new CountDownLatch(streams);
      AtomicLong ok = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicLong received = new AtomicLong();
      AtomicLong slowestOpenMs = new AtomicLong();
      // Heap in use, sampled every 20 ms (summing each pool's own peak would add peaks of different moments).
      AtomicLong peakHeap = new AtomicLong();
      ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor();
      sampling.scheduleAtFixedRate(
          () -> peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max),
          0, 20, TimeUnit.MILLISECONDS);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        threads.add(Thread.ofVirtual().start(() -> {
          long t0 = System.nanoTime();
          try (ResponseStream<String> s = client.call(items)) {
            slowestOpenMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
            allOpen.countDown();
            allOpen.await();
            for (String ignored : s) {
              received.incrementAndGet();
            }
            ok.incrementAndGet();
          } catch (Exception e) {
            allOpen.countDown();
            failed.incrementAndGet();
            System.err.println("stream failed: " + e);
          }
        }));
      }
      for (Thread t : threads) {
        t.join(Duration.ofMinutes(3));
      }
      sampling.shutdownNow();
      long peak = peakHeap.get();
      System.out.println("DONE " + ok.get() + " " + failed.get() + " " + received.get() + " " + peak + " " + slowestOpenMs.get());
      System.out.flush();
    }
  }
}
