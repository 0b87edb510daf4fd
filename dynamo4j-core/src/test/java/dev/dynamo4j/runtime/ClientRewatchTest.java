package dev.dynamo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client whose discovery watch fails keeps its instances and watches again (issue 15). */
@Timeout(60)
class ClientRewatchTest {
  /** Memory discovery whose open watches can be made to fail, as a store that lost its connection. */
  static final class FailingDiscovery implements Discovery {
    final KvStoreDiscovery inner;
    final List<Watch> open = new CopyOnWriteArrayList<>();
    final AtomicInteger watchesOpened = new AtomicInteger();

    FailingDiscovery(MemoryKeyValueStore.Data data) {
      inner = new KvStoreDiscovery(new MemoryKeyValueStore(data));
    }

    final class Watch implements DiscoveryWatch {
      final DiscoveryWatch w;
      volatile boolean failed;

      Watch(DiscoveryWatch w) {
        this.w = w;
      }

      @Override
      public DiscoveryEvent next() throws InterruptedException {
        DiscoveryEvent e = w.next();
        if (failed) {
          throw new DynamoException(ErrorType.Unavailable, "injected: the store lost its connection");
        }
        return e;
      }

      @Override
      public DiscoveryEvent poll(Duration timeout) throws InterruptedException {
        return w.poll(timeout);
      }

      @Override
      public void close() {
        w.close();
      }
    }

    void failOpenWatches() {
      for (Watch w : open) {
        w.failed = true;
        w.w.close();
      }
      open.clear();
    }

    @Override
    public long instanceId() {
      return inner.instanceId();
    }

    @Override
    public DiscoveryInstance register(DiscoverySpec spec) {
      return inner.register(spec);
    }

    @Override
    public void unregister(DiscoveryInstance instance) {
      inner.unregister(instance);
    }

    @Override
    public List<DiscoveryInstance> list(DiscoveryQuery query) {
      return inner.list(query);
    }

    @Override
    public DiscoveryWatch listAndWatch(DiscoveryQuery query) {
      watchesOpened.incrementAndGet();
      Watch w = new Watch(inner.listAndWatch(query));
      open.add(w);
      return w;
    }

    @Override
    public void shutdown() {
      inner.shutdown();
    }
  }

  static RuntimeConfig config() {
    return RuntimeConfig.builder().discoveryBackend("mem").requestPlane(RuntimeConfig.IN_PROCESS).build();
  }

  @Test
  void aClientKeepsCallingWhileItsWatchIsGoneAndSeesChangesAfterItCameBack() throws Exception {
    MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
    FailingDiscovery discovery = new FailingDiscovery(data);
    try (DistributedRuntime rt = DistributedRuntime.builder().config(config()).discovery(discovery).build()) {
      rt.namespace("ns").component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("ok " + req.value())));
      Client<String, String> client = rt.namespace("ns").component("c").endpoint("e").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));
      int opened = discovery.watchesOpened.get();

      discovery.failOpenWatches(); // the client's watch fails, as on a lost connection
      // calls go on with the instances the client knew (before: it cleared them and never watched again)
      assertThat(client.call("a").toList()).containsExactly("ok a");
      await().atMost(Duration.ofSeconds(20)).until(() -> client.rewatches() > 0 && discovery.watchesOpened.get() > opened);
      assertThat(client.instances()).hasSize(1);
      assertThat(client.call("b").toList()).containsExactly("ok b");

      // and the new watch delivers later changes: a second worker appears
      try (DistributedRuntime second = DistributedRuntime.builder().config(config()).discovery(new KvStoreDiscovery(new MemoryKeyValueStore(data))).build()) {
        second.namespace("ns").component("c").endpoint("e").serve(String.class, (Context<String> req) -> ResponseStream.of(req.controller(), List.of("two")));
        await().atMost(Duration.ofSeconds(20)).until(() -> client.instances().size() == 2);
      }
    }
  }
}
