package dev.dynamo4j.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.Slug;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;

/**
 * Scrapes a NATS micro-service's statistics the way Dynamo's {@code collect_services} does (spec
 * dynamo-transports §3.4): one empty message to {@code $SRV.STATS.<service>} with a fresh inbox as
 * the reply subject, then every reply that arrives before the deadline. Every running instance of
 * the service answers once, so the result has one entry per live worker process of a component.
 *
 * <p>Replies are read leniently (unknown fields ignored, missing counters 0); a reply that is not
 * JSON at all is counted in {@link Result#unreadable()}, not thrown. The calling thread blocks
 * until the deadline; nothing is kept after the call.
 */
public final class NatsServiceStats {
  /** Longest collection window accepted; Dynamo warns above 10 s. */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

  private NatsServiceStats() {}

  /** One endpoint's counters as a service instance reported them. */
  public record EndpointStats(
      String name,
      String subject,
      String queueGroup,
      long numRequests,
      long numErrors,
      String lastError,
      long processingTimeNanos,
      long averageProcessingTimeNanos,
      JsonNode data) {
    /**
     * The Dynamo instance id: the hex after the last {@code -} of the subject (Dynamo's rule);
     * empty when the subject has none.
     */
    public OptionalLong instanceId() {
      int dash = subject.lastIndexOf('-');
      if (dash < 0) {
        return OptionalLong.empty();
      }
      try {
        return OptionalLong.of(Long.parseUnsignedLong(subject.substring(dash + 1), 16));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
  }

  /** One service instance's STATS reply. */
  public record ServiceStats(String name, String id, String version, String started, List<EndpointStats> endpoints, JsonNode raw) {}

  /** Everything collected before the deadline. */
  public record Result(List<ServiceStats> services, int unreadable) {}

  /**
   * The service name Dynamo gives a component: {@code slugify("<ns>_<comp>")}.
   */
  public static String serviceName(String namespace, String component) {
    return Slug.slugify(namespace + "_" + component);
  }

  /**
   * Sends the STATS request and collects replies until {@code timeout} has passed.
   *
   * @throws DynamoException {@code InvalidArgument} for a timeout not in (0, 10 s] or a service
   *     name that is not a single subject token; {@code Unavailable} when the request cannot be
   *     sent
   */
  public static Result collect(Connection nc, String service, Duration timeout) throws InterruptedException {
    if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new DynamoException(ErrorType.InvalidArgument, "the stats collection window must be more than 0 and at most 10 s, got " + timeout.toMillis() + " ms");
    }
    if (service.isEmpty() || !service.matches("[^.*>\\s]+")) {
      throw new DynamoException(ErrorType.InvalidArgument, "'" + service + "' is not a NATS service name (one subject token, no '.', '*', '>' or spaces)");
    }
    String inbox = nc.createInbox();
    Subscription sub = nc.subscribe(inbox);
    List<ServiceStats> out = new ArrayList<>();
    int unreadable = 0;
    try {
      nc.publish("$SRV.STATS." + service, inbox, new byte[0]);
      nc.flush(timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      for (long left; (left = deadline - System.nanoTime()) > 0; ) {
        Message m = sub.nextMessage(Duration.ofNanos(left));
        if (m == null) {
          break;
        }
        ServiceStats s = parse(m.getData());
        if (s == null) {
          unreadable++;
        } else {
          out.add(s);
        }
      }
    } catch (TimeoutException | IllegalStateException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot send the NATS stats request for " + service + ": " + e.getMessage(), e);
    } finally {
      sub.unsubscribe();
    }
    out.sort(Comparator.comparing(ServiceStats::id));
    return new Result(List.copyOf(out), unreadable);
  }

  /** Reads one STATS reply; null when it is not a JSON object. */
  static ServiceStats parse(byte[] body) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
    if (n == null || !n.isObject()) {
      return null;
    }
    List<EndpointStats> eps = new ArrayList<>();
    for (JsonNode e : n.path("endpoints")) {
      eps.add(new EndpointStats(
          e.path("name").asText(""),
          e.path("subject").asText(""),
          e.path("queue_group").asText(""),
          e.path("num_requests").asLong(0),
          e.path("num_errors").asLong(0),
          e.path("last_error").asText(""),
          e.path("processing_time").asLong(0),
          e.path("average_processing_time").asLong(0),
          e.has("data") ? e.get("data") : NullNode.getInstance()));
    }
    return new ServiceStats(n.path("name").asText(""), n.path("id").asText(""), n.path("version").asText(""), n.path("started").asText(""), List.copyOf(eps), n);
  }
}
