package dev.dynamo4j.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dynamo4j.wire.Json;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.NUID;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NATS micro-service (the discovery protocol of NATS's ADR-32, which async-nats's {@code
 * service} module and Dynamo's component services speak): answers {@code $SRV.PING}, {@code
 * $SRV.INFO} and {@code $SRV.STATS}, each bare, {@code .<name>} and {@code .<name>.<id>}, for the
 * endpoints added to it. Endpoints come and go while it runs (jnats's own service API fixes them
 * at build time, which is why this is written here).
 *
 * <p>Requests to the endpoints themselves are handled by the request plane, which reports each one
 * through {@link EndpointStats#record}. PING and INFO are answered on jnats's dispatcher thread;
 * STATS, which runs the endpoints' stats handlers, on a virtual thread per request, at most {@value
 * #STATS_CONCURRENCY} at once (further STATS requests are dropped, so a flood or a slow handler
 * cannot pile up threads). Replies carry the {@code io.nats.micro.v1.*_response} types.
 * Thread-safe.
 */
final class NatsMicroService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NatsMicroService.class);
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** The queue group endpoints subscribe with: async-nats's and jnats's service default. */
  static final String QUEUE_GROUP = "q";

  private final Connection nc;
  private final String name;
  private final String id = NUID.nextGlobal();
  private final String version;
  private final String description;
  private final String started = RFC3339.format(Instant.now());
  private final Map<String, EndpointStats> endpoints = new ConcurrentSkipListMap<>();
  private final Dispatcher dispatcher;
  /** STATS calls user stats handlers: at most this many at once, further requests are dropped. */
  static final int STATS_CONCURRENCY = 8;

  private final Semaphore statsSlots = new Semaphore(STATS_CONCURRENCY);

  NatsMicroService(Connection nc, String name, String version, String description) {
    this.nc = nc;
    this.name = name;
    this.version = version;
    this.description = description;
    this.dispatcher = nc.createDispatcher(this::onControl);
    for (String verb : new String[] {"PING", "INFO", "STATS"}) {
      dispatcher.subscribe("$SRV." + verb);
      dispatcher.subscribe("$SRV." + verb + "." + name);
      dispatcher.subscribe("$SRV." + verb + "." + name + "." + id);
    }
  }

  String name() {
    return name;
  }

  String id() {
    return id;
  }

  /** Adds an endpoint (replacing one of that name) and returns its counters. */
  EndpointStats add(String endpoint, String subject, Supplier<Object> data) {
    EndpointStats s = new EndpointStats(endpoint, subject, data);
    endpoints.put(endpoint, s);
    return s;
  }

  /** Removes an endpoint; returns whether any are left. */
  boolean remove(String endpoint) {
    endpoints.remove(endpoint);
    return !endpoints.isEmpty();
  }

  private void onControl(Message msg) {
    String reply = msg.getReplyTo();
    if (reply == null) {
      return;
    }
    String verb = msg.getSubject().split("\\.")[1];
    if (!verb.equals("STATS")) {
      send(reply, verb); // PING and INFO run no user code: answered on the dispatcher thread
      return;
    }
    if (!statsSlots.tryAcquire()) {
      log.debug("NATS service {}: {} STATS requests already being answered; dropping one", name, STATS_CONCURRENCY);
      return; // the scraper's deadline passes for this instance; nothing piles up here
    }
    Thread.ofVirtual().name("nats-service-" + name).start(() -> {
      try {
        send(reply, verb);
      } finally {
        statsSlots.release();
      }
    });
  }

  private void send(String reply, String verb) {
    try {
      nc.publish(reply, Json.MAPPER.writeValueAsBytes(answer(verb)));
    } catch (Exception e) {
      log.warn("cannot answer {} for NATS service {}: {}", verb, name, e.toString());
    }
  }

  ObjectNode answer(String verb) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("type", "io.nats.micro.v1." + verb.toLowerCase(Locale.ROOT) + "_response");
    o.put("name", name);
    o.put("id", id);
    o.put("version", version);
    o.putObject("metadata");
    switch (verb) {
      case "INFO" -> {
        o.put("description", description);
        ArrayNode eps = o.putArray("endpoints");
        for (EndpointStats e : endpoints.values()) {
          ObjectNode n = eps.addObject();
          n.put("name", e.name);
          n.put("subject", e.subject);
          n.put("queue_group", QUEUE_GROUP);
          n.putObject("metadata");
        }
      }
      case "STATS" -> {
        o.put("started", started);
        ArrayNode eps = o.putArray("endpoints");
        for (EndpointStats e : endpoints.values()) {
          eps.add(e.toJson());
        }
      }
      default -> {}
    }
    return o;
  }

  @Override
  public void close() {
    nc.closeDispatcher(dispatcher);
  }

  /** Counters of one endpoint, in the shape of the STATS reply. Thread-safe. */
  static final class EndpointStats {
    final String name;
    final String subject;
    private final Supplier<Object> data;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong processingNanos = new AtomicLong();
    private volatile String lastError = "";

    EndpointStats(String name, String subject, Supplier<Object> data) {
      this.name = name;
      this.subject = subject;
      this.data = data;
    }

    /**
     * One request: {@code nanos} from its arrival to its reply; {@code error} is the rejection
     * text, or null when it was accepted.
     */
    void record(long nanos, String error) {
      requests.incrementAndGet();
      processingNanos.addAndGet(nanos);
      if (error != null) {
        errors.incrementAndGet();
        lastError = error;
      }
    }

    ObjectNode toJson() {
      ObjectNode n = Json.MAPPER.createObjectNode();
      long req = requests.get();
      long total = processingNanos.get();
      n.put("name", name);
      n.put("subject", subject);
      n.put("queue_group", QUEUE_GROUP);
      n.put("num_requests", req);
      n.put("num_errors", errors.get());
      n.put("last_error", lastError);
      n.put("processing_time", total);
      n.put("average_processing_time", req == 0 ? 0 : total / req);
      JsonNode d;
      try {
        Object v = data == null ? null : data.get();
        d = v == null ? NullNode.getInstance() : Json.MAPPER.valueToTree(v);
      } catch (RuntimeException e) {
        log.warn("stats handler of endpoint {} failed: {}", subject, e.toString());
        d = NullNode.getInstance();
      }
      n.set("data", d);
      return n;
    }
  }

}
