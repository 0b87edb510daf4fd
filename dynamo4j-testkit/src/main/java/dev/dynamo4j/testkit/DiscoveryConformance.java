package dev.dynamo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryEvent;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryQuery;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.spi.discovery.DiscoveryWatch;
import dev.dynamo4j.spi.discovery.EventChannelTransport;
import dev.dynamo4j.spi.discovery.EventQuery;
import dev.dynamo4j.wire.PayloadCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Discovery} backend must show (Dynamo's discovery tests). Clients
 * made during one test share one backend.
 */
@Timeout(60)
public abstract class DiscoveryConformance {
  private static final AtomicLong NAMES = new AtomicLong();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<Discovery> clients = new ArrayList<>();
  protected final String ns = "dc" + NAMES.incrementAndGet() + "x" + Long.toHexString(System.nanoTime() & 0xffffff);

  /** A new client of the backend under test, with its own instance id. */
  protected abstract Discovery newDiscovery();

  protected final Discovery client() {
    Discovery d = newDiscovery();
    clients.add(d);
    return d;
  }

  /** Shuts every client of this test down (after each test; a subclass may call it earlier). */
  @AfterEach
  protected void shutdownClients() {
    for (Discovery d : clients) {
      d.shutdown();
    }
    clients.clear();
  }

  protected static DiscoverySpec endpoint(String ns, String comp, String ep) {
    return new DiscoverySpec.Endpoint(ns, comp, ep, new TransportType.Tcp("127.0.0.1:1/" + ep), null, PayloadCodec.MSGPACK);
  }

  protected static DiscoveryEvent next(DiscoveryWatch w) throws InterruptedException {
    DiscoveryEvent e = w.poll(WAIT);
    assertThat(e).as("a discovery event within " + WAIT).isNotNull();
    return e;
  }

  static JsonNode card(String displayName, String sourcePath) {
    var n = JsonNodeFactory.instance.objectNode().put("display_name", displayName);
    if (sourcePath != null) {
      n.put("source_path", sourcePath);
    }
    return n;
  }

  @Test
  void listFiltersByNamespaceAndComponent() {
    Discovery d = client();
    d.register(endpoint(ns + "a", "comp1", "ep1"));
    d.register(endpoint(ns + "a", "comp1", "ep2"));
    d.register(endpoint(ns + "b", "comp1", "ep1"));
    long all = d.list(new DiscoveryQuery.AllEndpoints()).stream()
        .filter(i -> ((DiscoveryInstance.Endpoint) i).instance().namespace().startsWith(ns)).count();
    assertThat(all).isEqualTo(3);
    assertThat(d.list(new DiscoveryQuery.NamespacedEndpoints(ns + "a"))).hasSize(2);
    assertThat(d.list(new DiscoveryQuery.ComponentEndpoints(ns + "a", "comp1"))).hasSize(2);
    assertThat(d.list(new DiscoveryQuery.Endpoint(ns + "a", "comp1", "ep2"))).hasSize(1);
  }

  @Test
  void prefixesMatchOnPathBoundariesOnly() {
    Discovery d = client();
    d.register(endpoint(ns, "component", "ep"));
    d.register(endpoint(ns, "component2", "ep"));
    d.register(endpoint(ns + ".sub", "component", "ep"));
    assertThat(d.list(new DiscoveryQuery.ComponentEndpoints(ns, "component"))).hasSize(1);
    assertThat(d.list(new DiscoveryQuery.NamespacedEndpoints(ns))).hasSize(2);
  }

  @Test
  void watchSeesRegistrationsAfterItAndRemovals() throws Exception {
    Discovery watcher = client();
    Discovery worker = client();
    try (DiscoveryWatch w = watcher.listAndWatch(new DiscoveryQuery.ComponentEndpoints(ns, "comp"))) {
      DiscoveryInstance inst = worker.register(endpoint(ns, "comp", "generate"));
      DiscoveryEvent added = next(w);
      assertThat(added).isEqualTo(new DiscoveryEvent.Added(inst));
      assertThat(((DiscoveryInstance.Endpoint) inst).instance().instanceId()).isEqualTo(worker.instanceId());
      worker.unregister(inst);
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Removed(inst.id()));
    }
  }

  @Test
  void watchStartsWithWhatIsAlreadyRegistered() throws Exception {
    Discovery d = client();
    DiscoveryInstance a = d.register(endpoint(ns, "c", "a"));
    try (DiscoveryWatch w = client().listAndWatch(new DiscoveryQuery.NamespacedEndpoints(ns))) {
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Added(a));
      assertThat(w.poll(Duration.ofMillis(200))).isNull();
    }
  }

  @Test
  void shutdownRemovesTheClientsRecordsAndWatchersSeeIt() throws Exception {
    Discovery leaving = client();
    Discovery staying = client();
    assertThat(leaving.instanceId()).isNotEqualTo(staying.instanceId());
    DiscoveryInstance gone = leaving.register(endpoint(ns, "c", "e"));
    DiscoveryInstance kept = staying.register(endpoint(ns, "c", "e"));
    try (DiscoveryWatch w = staying.listAndWatch(new DiscoveryQuery.Endpoint(ns, "c", "e"))) {
      List<DiscoveryEvent> initial = List.of(next(w), next(w));
      assertThat(initial).containsExactlyInAnyOrder(new DiscoveryEvent.Added(gone), new DiscoveryEvent.Added(kept));
      leaving.shutdown();
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Removed(gone.id()));
    }
    assertThat(staying.list(new DiscoveryQuery.Endpoint(ns, "c", "e"))).containsExactly(kept);
  }

  @Test
  void registeringTwiceKeepsOneRecordAndUnregisteringAnAbsentOneIsFine() {
    Discovery d = client();
    DiscoveryInstance i = d.register(endpoint(ns, "c", "e"));
    d.register(endpoint(ns, "c", "e"));
    assertThat(d.list(new DiscoveryQuery.Endpoint(ns, "c", "e"))).containsExactly(i);
    d.unregister(i);
    d.unregister(i);
    assertThat(d.list(new DiscoveryQuery.Endpoint(ns, "c", "e"))).isEmpty();
  }

  @Test
  void sameModelNameOnTheSameEndpointIsAllowed() {
    client().register(new DiscoverySpec.Model(ns, "c", "e", card("llama", null), null));
    client().register(new DiscoverySpec.Model(ns, "c", "e", card("llama", null), null));
    assertThat(client().list(new DiscoveryQuery.EndpointModels(ns, "c", "e"))).hasSize(2);
  }

  @Test
  void aDifferentModelOnTheSameEndpointIsRefused() {
    client().register(new DiscoverySpec.Model(ns, "c", "e", card("llama", null), null));
    Discovery other = client();
    assertThatThrownBy(() -> other.register(new DiscoverySpec.Model(ns, "c", "e", card("mistral", null), null)))
        .hasMessageContaining("Cannot register model 'mistral' on endpoint '" + ns + "/c/e': a different model 'llama' is already registered there");
    assertThat(other.list(new DiscoveryQuery.EndpointModels(ns, "c", "e"))).hasSize(1);
  }

  @Test
  void differentModelsOnDifferentEndpointsAndLoraAdaptersAreAllowed() {
    client().register(new DiscoverySpec.Model(ns, "c", "e1", card("llama", "/models/llama"), null));
    client().register(new DiscoverySpec.Model(ns, "c", "e2", card("mistral", null), null));
    Discovery lora = client();
    lora.register(new DiscoverySpec.Model(ns, "c", "e1", card("llama-sql", "/models/llama"), "sql-adapter"));
    assertThat(lora.list(new DiscoveryQuery.ComponentModels(ns, "c"))).hasSize(3);
    assertThatThrownBy(() -> client().register(new DiscoverySpec.Model(ns, "c", "e1", JsonNodeFactory.instance.objectNode(), null)))
        .hasMessageContaining("failed to deserialize model display_name from card_json");
  }

  static JsonNode card(String displayName, String sourcePath, String... aliases) {
    var n = (ObjectNode) card(displayName, sourcePath);
    var a = n.putArray("aliases");
    for (String alias : aliases) {
      a.add(alias);
    }
    return n;
  }

  private DiscoveryInstance registerModel(String endpoint, JsonNode card, String suffix) {
    return client().register(new DiscoverySpec.Model(ns, "c", endpoint, card, suffix));
  }

  private void assertRefused(String endpoint, JsonNode card, String suffix) {
    assertThatThrownBy(() -> registerModel(endpoint, card, suffix))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Conflict))
        .hasMessageContaining("a different model '")
        .hasMessageContaining("' is already registered there");
  }

  @Test
  void differentNamesShareAnEndpointOnlyWithTheSameSourcePathAndDisjointServedNames() {
    // Spec M1's example: a:/mount/a and a:/mount/b in either order; b:/mount/b always conflicts.
    registerModel("e1", card("a", "/mount/a"), null);
    registerModel("e1", card("a", "/mount/b"), null);
    assertRefused("e1", card("b", "/mount/b"), null);
    registerModel("e2", card("a", "/mount/b"), null);
    registerModel("e2", card("a", "/mount/a"), null);
    assertRefused("e2", card("b", "/mount/b"), null);
    // b:/mount/b first: a:/mount/b joins it, a:/mount/a does not.
    registerModel("e3", card("b", "/mount/b"), null);
    registerModel("e3", card("a", "/mount/b"), null);
    assertRefused("e3", card("a", "/mount/a"), null);
    assertThat(client().list(new DiscoveryQuery.EndpointModels(ns, "c", "e3"))).hasSize(2);
  }

  @Test
  void aMissingOrEmptySourcePathNeverMakesDifferentNamesCompatible() {
    registerModel("e1", card("a", ""), null);
    assertRefused("e1", card("b", ""), null);
    registerModel("e2", card("a", null), null);
    assertRefused("e2", card("b", null), null);
  }

  @Test
  void anAliasClashingWithTheOtherCardsServedNamesIsAConflict() {
    registerModel("e1", card("x", "/m", "y"), null);
    assertRefused("e1", card("y", "/m"), null);
    assertRefused("e1", card("z", "/m", "x"), null);
    registerModel("e1", card("z", "/m", "w"), null);
    assertThat(client().list(new DiscoveryQuery.EndpointModels(ns, "c", "e1"))).hasSize(2);
  }

  @Test
  void aLoraAdapterMayNotTakeABaseCardsServedName() {
    registerModel("e1", card("llama", "/models/llama", "chat"), null);
    assertRefused("e1", card("chat", "/models/llama"), "chat-adapter");
    assertRefused("e1", card("llama", "/models/llama"), "llama-adapter");
    registerModel("e1", card("llama-sql", "/models/llama"), "sql-adapter");
    // The other order: the adapter first, then a base card serving its name.
    registerModel("e2", card("chat", "/models/llama"), "chat-adapter");
    assertRefused("e2", card("llama", "/models/llama", "chat"), null);
    registerModel("e2", card("llama", "/models/llama"), null);
  }

  @Test
  void eventSourceLifecycle() throws Exception {
    Discovery d = client();
    EventScope scope = new EventScope.Component(ns, "worker");
    JsonNode md = JsonNodeFactory.instance.objectNode().put("schema", 1);
    DiscoveryInstance first = d.register(new DiscoverySpec.EventSource(scope, "kv-events", 7, md));
    assertThat(d.register(new DiscoverySpec.EventSource(scope, "kv-events", 7, md))).isEqualTo(first);
    JsonNode changed = JsonNodeFactory.instance.objectNode().put("schema", 2);
    assertThatThrownBy(() -> d.register(new DiscoverySpec.EventSource(scope, "kv-events", 7, changed)))
        .hasMessageContaining("cannot change its descriptor");
    DiscoveryInstance second = d.register(new DiscoverySpec.EventSource(scope, "kv-events", 8, md));
    DiscoveryQuery q = new DiscoveryQuery.EventSources(EventQuery.of(scope, "kv-events"));
    assertThat(d.list(q)).containsExactlyInAnyOrder(first, second);
    try (DiscoveryWatch w = client().listAndWatch(q)) {
      next(w);
      next(w);
      d.unregister(first);
      assertThat(next(w)).isEqualTo(new DiscoveryEvent.Removed(first.id()));
    }
    assertThat(d.list(q)).containsExactly(second);
  }

  @Test
  void eventChannelQueriesAreExactAboutScopeAndTopic() {
    Discovery d = client();
    EventChannelTransport zmq = new EventChannelTransport.Zmq("tcp://127.0.0.1:5555");
    EventScope nsScope = new EventScope.Namespace(ns);
    EventScope compScope = new EventScope.Component(ns, "worker/*");
    EventScope epScope = new EventScope.Endpoint(ns, "worker/*", "generate.>");
    DiscoveryInstance a = d.register(new DiscoverySpec.EventChannel(nsScope, "kv.events/*", 1, zmq));
    DiscoveryInstance b = d.register(new DiscoverySpec.EventChannel(compScope, "kv.events/*", 2, zmq));
    DiscoveryInstance c = d.register(new DiscoverySpec.EventChannel(epScope, "metrics", 3, zmq));
    assertThat(d.list(new DiscoveryQuery.EventChannels(EventQuery.of(nsScope)))).containsExactly(a);
    assertThat(d.list(new DiscoveryQuery.EventChannels(EventQuery.of(compScope)))).containsExactly(b);
    assertThat(d.list(new DiscoveryQuery.EventChannels(EventQuery.of(epScope, "metrics")))).containsExactly(c);
    assertThat(d.list(new DiscoveryQuery.EventChannels(EventQuery.of(epScope, "other")))).isEmpty();
    assertThat(((DiscoveryInstance.EventChannel) b).instanceId()).isEqualTo(2);
  }
}
