package dev.dynamo4j.internal.network;

import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.spi.network.RequestClient;
import dev.dynamo4j.spi.network.RequestHandler;
import dev.dynamo4j.spi.network.RequestPlane;
import dev.dynamo4j.spi.network.RequestServer;
import dev.dynamo4j.spi.network.ResponsePlane;
import dev.dynamo4j.wire.RoutingKey;
import dev.dynamo4j.wire.TcpAck;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A request plane inside one JVM, for tests and process-local runtimes. It follows the TCP
 * server's rules (exact-key routing, bounded admission, the same ACK texts) with no socket.
 * Addresses are {@code {"in_process":"<server id>/<routing key>"}}.
 */
final class InProcessRequestPlane implements RequestPlane {
  private static final Map<String, Server> SERVERS = new ConcurrentHashMap<>();

  private final Server server;
  private final RequestClient client = this::send;
  private final InProcessResponsePlane responsePlane;

  public InProcessRequestPlane(int poolSize, int queueSize, long maxMessageSize) {
    this.server = new Server(UUID.randomUUID().toString(), new RouteTable(poolSize, queueSize));
    this.responsePlane = new InProcessResponsePlane(maxMessageSize);
  }

  @Override
  public ResponsePlane responsePlane() {
    return responsePlane;
  }

  @Override
  public String name() {
    return "in_process";
  }

  @Override
  public RequestServer server() {
    SERVERS.putIfAbsent(server.id, server);
    return server;
  }

  @Override
  public RequestClient client() {
    return client;
  }

  @Override
  public boolean canReach(TransportType address) {
    return address instanceof TransportType.InProcess;
  }

  private void send(TransportType address, Map<String, String> headers, byte[] payload) {
    if (!(address instanceof TransportType.InProcess ip)) {
      throw new DynamoException(ErrorType.CannotConnect, "the in-process plane cannot reach " + address);
    }
    String[] parts = RoutingKey.splitAddress(ip.address());
    Server target = SERVERS.get(parts[0]);
    if (target == null) {
      throw new DynamoException(ErrorType.CannotConnect, "in-process server " + parts[0] + " is gone");
    }
    DynamoException rejection = target.accept(parts[1], headers, payload).rejection();
    if (rejection != null) {
      throw rejection;
    }
  }

  @Override
  public void close() {
    SERVERS.remove(server.id);
    responsePlane.close();
  }

  private static final class Server implements RequestServer {
    final String id;
    final RouteTable routes;

    Server(String id, RouteTable routes) {
      this.id = id;
      this.routes = routes;
    }

    TcpAck accept(String key, Map<String, String> headers, byte[] payload) {
      return routes.accept(key, headers, payload).toTcpAck();
    }

    @Override
    public TransportType register(String routingKey, RequestHandler handler) {
      routes.register(routingKey, handler);
      return new TransportType.InProcess(id + "/" + routingKey);
    }

    @Override
    public int unregister(String routingKey, Duration drain) throws InterruptedException {
      return routes.unregister(routingKey, drain);
    }
  }
}
