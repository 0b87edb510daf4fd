package dev.dynamo4j.nats;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.internal.Version;
import dev.dynamo4j.internal.network.RouteTable;
import dev.dynamo4j.spi.network.RequestClient;
import dev.dynamo4j.spi.network.RequestHandler;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.tcp.TcpCallHome;
import dev.dynamo4j.wire.Slug;
import dev.dynamo4j.wire.TcpAck;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The NATS request plane ({@code DYN_REQUEST_PLANE=nats}). A served endpoint subscribes (queue
 * group = the service name) to {@code slugify("<ns>_<comp>").<ep>-<id hex>} and advertises it as
 * {@code {"nats_tcp": "<that subject>"}}; each request is admitted into the shared {@link
 * RouteTable} on the jnats dispatcher thread and answered at once with the ACK (empty = accepted,
 * Dynamo's rejection texts otherwise). The request envelope is the same two-part message as on
 * TCP; responses come back over TCP call-home ({@link TcpCallHome}).
 *
 * <p>Each component is also a NATS micro-service named like the subject's first token (version =
 * dynamo4j's, description {@code Dynamo component <comp> in namespace <ns>}) that answers {@code
 * $SRV.PING|INFO|STATS}; an endpoint's STATS entry counts requests (an error is a rejected
 * admission, with its text as {@code last_error}), the time from arrival to ACK, and carries the
 * endpoint's stats handler output as {@code data} (see {@link NatsServiceStats}). Endpoints
 * subscribe in queue group {@code q}, the async-nats default (Dynamo's choice is UNCONFIRMED; each
 * instance has its own subject, so the group only matters to tools that list it).
 *
 * <p>The client checks the payload against the server's {@code max_payload} before sending and
 * fails with {@code InvalidArgument} naming both sizes (Dynamo users see a silent timeout there);
 * no reply within {@code DYN_TCP_REQUEST_TIMEOUT} is {@code CannotConnect}.
 */
public final class NatsRequestPlane implements RequestPlane {
  private final Connection nc;
  private final boolean ownsConnection;
  private final RouteTable routes;
  private final ResponsePlane responsePlane;
  private final Duration requestTimeout;
  private final Map<String, Dispatcher> dispatchers = new ConcurrentHashMap<>();
  private final Map<String, NatsMicroService.EndpointStats> stats = new ConcurrentHashMap<>();
  private final Map<String, NatsMicroService> services = new HashMap<>(); // guarded by itself
  private final RequestServer server = new Server();
  private final RequestClient client = this::send;

  public NatsRequestPlane(Connection nc, boolean ownsConnection, RuntimeConfig config) {
    this.nc = nc;
    this.ownsConnection = ownsConnection;
    this.routes = new RouteTable(config.tcpWorkerPoolSize(), config.tcpWorkQueueSize());
    this.responsePlane = TcpCallHome.create(config);
    this.requestTimeout = config.tcpRequestTimeout();
  }

  /** The subject an instance is served on: {@code slugify("<ns>_<comp>").<ep>-<id hex>}. */
  public static String subject(String namespace, String component, String endpoint, long instanceId) {
    return Slug.slugify(namespace + "_" + component) + "." + endpoint + "-" + Long.toHexString(instanceId);
  }

  /** An R1 routing key {@code <id hex>/<ns>/<comp>/<ep>} read back into its parts. */
  record Route(String namespace, String component, String endpoint, long instanceId) {
    static Route parse(String key) {
      String[] p = key.split("/", -1);
      if (p.length != 4) {
        throw new DynamoException(ErrorType.InvalidArgument, "unexpected routing key '" + key + "'");
      }
      return new Route(unescape(p[1]), unescape(p[2]), unescape(p[3]), Long.parseUnsignedLong(p[0], 16));
    }

    String subject() {
      return NatsRequestPlane.subject(namespace, component, endpoint, instanceId);
    }

    String serviceName() {
      return Slug.slugify(namespace + "_" + component);
    }

    String endpointName() {
      return endpoint + "-" + Long.toHexString(instanceId);
    }
  }

  static String subjectForRoutingKey(String key) {
    return Route.parse(key).subject();
  }

  private static String unescape(String s) {
    return s.replace("%2F", "/").replace("%25", "%");
  }

  /** {@code connected} (1 while the NATS connection is up), {@code reconnects_total}. */
  @Override
  public Map<String, Long> gauges() {
    return NatsConnections.gauges(nc);
  }

  @Override
  public String name() {
    return "nats";
  }

  @Override
  public RequestServer server() {
    return server;
  }

  @Override
  public RequestClient client() {
    return client;
  }

  @Override
  public boolean canReach(TransportType address) {
    return address instanceof TransportType.NatsTcp;
  }

  @Override
  public ResponsePlane responsePlane() {
    return responsePlane;
  }

  private final class Server implements RequestServer {
    @Override
    public TransportType register(String routingKey, RequestHandler handler) {
      Route route = Route.parse(routingKey);
      String subject = route.subject();
      routes.register(subject, handler);
      synchronized (services) {
        NatsMicroService svc = services.computeIfAbsent(route.serviceName(), n -> new NatsMicroService(nc, n, Version.get(),
            "Dynamo component " + route.component() + " in namespace " + route.namespace()));
        stats.put(subject, svc.add(route.endpointName(), subject, handler::stats));
      }
      Dispatcher d = nc.createDispatcher(msg -> answer(subject, msg));
      d.subscribe(subject, NatsMicroService.QUEUE_GROUP);
      dispatchers.put(subject, d);
      try {
        nc.flush(Duration.ofSeconds(5));
      } catch (TimeoutException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new DynamoException(ErrorType.Unavailable, "NATS did not confirm the subscription to " + subject, e);
      }
      return new TransportType.NatsTcp(subject);
    }

    @Override
    public int unregister(String routingKey, Duration drain) throws InterruptedException {
      Route route = Route.parse(routingKey);
      String subject = route.subject();
      Dispatcher d = dispatchers.remove(subject);
      if (d != null) {
        nc.closeDispatcher(d);
      }
      stats.remove(subject);
      synchronized (services) {
        NatsMicroService svc = services.get(route.serviceName());
        if (svc != null && !svc.remove(route.endpointName())) {
          services.remove(route.serviceName());
          svc.close();
        }
      }
      return routes.unregister(subject, drain);
    }
  }

  private void answer(String subject, Message msg) {
    long start = System.nanoTime();
    Map<String, String> headers = new HashMap<>();
    if (msg.hasHeaders()) {
      for (String k : msg.getHeaders().keySet()) {
        headers.put(k, msg.getHeaders().getFirst(k));
      }
    }
    TcpAck ack = routes.accept(subject, headers, msg.getData() == null ? new byte[0] : msg.getData()).toTcpAck();
    if (msg.getReplyTo() != null) {
      nc.publish(msg.getReplyTo(), ack.body());
    }
    NatsMicroService.EndpointStats s = stats.get(subject);
    if (s != null) {
      DynamoException rejected = ack.rejection();
      s.record(System.nanoTime() - start, rejected == null ? null : rejected.getMessage());
    }
  }

  private void send(TransportType address, Map<String, String> headers, byte[] payload) throws InterruptedException {
    if (!(address instanceof TransportType.NatsTcp n)) {
      throw new DynamoException(ErrorType.CannotConnect, "the NATS request plane cannot reach " + address);
    }
    long max = nc.getServerInfo() == null ? Long.MAX_VALUE : nc.getServerInfo().getMaxPayload();
    if (payload.length > max) {
      throw new DynamoException(ErrorType.InvalidArgument,
          "Request payload is too large for this deployment: " + payload.length + " bytes, but the NATS server's max_payload is " + max + " bytes");
    }
    Headers h = new Headers();
    headers.forEach(h::put);
    Message reply;
    try {
      reply = nc.request(NatsMessage.builder().subject(n.address()).headers(h).data(payload).build())
          .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException | IllegalStateException e) {
      throw new DynamoException(ErrorType.CannotConnect, "NATS request to " + n.address() + " failed: " + e.getMessage(), e);
    }
    DynamoException rejection = new TcpAck(reply.getData()).rejection();
    if (rejection != null) {
      throw rejection;
    }
  }

  @Override
  public void close() {
    for (Dispatcher d : dispatchers.values()) {
      nc.closeDispatcher(d);
    }
    dispatchers.clear();
    synchronized (services) {
      services.values().forEach(NatsMicroService::close);
      services.clear();
    }
    responsePlane.close();
    if (ownsConnection) {
      try {
        nc.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
