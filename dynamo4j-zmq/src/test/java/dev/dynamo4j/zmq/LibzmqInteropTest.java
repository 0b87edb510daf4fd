package dev.dynamo4j.zmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.events.EventPublisher;
import dev.dynamo4j.events.EventSubscriber;
import dev.dynamo4j.events.ReceivedEvent;
import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.EventChannelTransport.Zmq;
import dev.dynamo4j.spi.discovery.EventQuery;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interop with the real libzmq through pyzmq ({@code python3-zmq}, run with /usr/bin/python3;
 * scripts/test installs it): a Python SUB reads our publisher, a Python PUB feeds our subscriber.
 * Fails, never skips, when Python or pyzmq is missing.
 */
@Timeout(90)
class LibzmqInteropTest {
  static final String PYTHON = "/usr/bin/python3";
  static final Path PEER = Path.of("src/test/python/zmq_peer.py").toAbsolutePath();

  final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(1024);
  final KvStoreDiscovery discovery = new KvStoreDiscovery(new MemoryKeyValueStore(data));
  final ZmqEventTransport transport = new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 1000);
  final List<Process> processes = new ArrayList<>();
  final String ns = "interop" + Long.toHexString(System.nanoTime());

  @AfterEach
  void close() {
    processes.forEach(Process::destroyForcibly);
    transport.close();
    discovery.shutdown();
  }

  Process python(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PYTHON, PEER.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.add(p);
    return p;
  }

  @Test
  void aLibzmqSubscriberReadsOurFourPartMessages() throws Exception {
    EventScope scope = new EventScope.Namespace(ns);
    try (EventPublisher pub = EventPublisher.create(transport, scope, "kv-events", PayloadCodec.MSGPACK)) {
      DiscoveryInstance.EventChannel record = (DiscoveryInstance.EventChannel)
          discovery.list(new DiscoveryQuery.EventChannels(EventQuery.of(scope, "kv-events"))).get(0);
      String endpoint = ((Zmq) record.transport()).endpoint();
      assertThat(endpoint).startsWith("tcp://127.0.0.1:");
      Process p = python("sub", endpoint, "kv-events");
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("connected");
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      long seq = -1;
      while (!line.isDone()) {
        seq = pub.publish("tick"); // the slow joiner misses the first ones
        Thread.sleep(20); // publishing rate while the peer joins, not a wait for a condition
      }
      JsonNode m = Json.MAPPER.readTree(line.get(10, TimeUnit.SECONDS));
      assertThat(m.get("parts").asInt()).isEqualTo(4);
      assertThat(m.get("topic").asText()).isEqualTo("kv-events");
      assertThat(m.get("pid_len").asInt()).isEqualTo(8);
      assertThat(m.get("seq_len").asInt()).isEqualTo(8);
      assertThat(m.get("pid").asLong()).isEqualTo(pub.publisherId());
      assertThat(m.get("seq").asLong()).isBetween(0L, seq);
      assertThat(m.get("frame_version").asInt()).isEqualTo(1);
      assertThat(m.get("frame_total").asInt()).isEqualTo(5 + m.get("frame_len").asInt());
    }
  }

  @Test
  void ourSubscriberDecodesEventsFromALibzmqPublisher() throws Exception {
    EventScope scope = new EventScope.Component(ns, "worker");
    long pid = 4242;
    List<String> args = List.of("pub", "kv-events", Long.toString(pid), "from libzmq");
    Process p = python(args.toArray(String[]::new));
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String bound = out.readLine();
    assertThat(bound).startsWith("bound tcp://127.0.0.1:");
    discovery.register(new DiscoverySpec.EventChannel(scope, "kv-events", pid, new Zmq(bound.substring("bound ".length()))));
    try (EventSubscriber sub = EventSubscriber.create(transport, scope, "kv-events", PayloadCodec.MSGPACK)) {
      Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
      in.write("go\n");
      in.flush();
      ReceivedEvent e = sub.poll(Duration.ofSeconds(30));
      if (e == null) {
        throw new AssertionError("no event from the libzmq publisher");
      }
      assertThat(e.publisherId()).isEqualTo(pid);
      assertThat(e.envelope().topic()).isEqualTo("kv-events");
      assertThat(e.envelope().publishedAt()).isEqualTo(1_700_000_000_000L);
      assertThat(e.decode(String.class)).isEqualTo("from libzmq");
      ReceivedEvent next = sub.poll(Duration.ofSeconds(10));
      assertThat(next.sequence()).isEqualTo(e.sequence() + 1);
      assertThat(sub.malformed()).isZero();
      in.close();
    }
  }
}
