package dev.dynamo4j.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.metrics.RuntimeMetrics;
import dev.dynamo4j.spi.config.SystemStatusOptions;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamo's system status server ({@code system_status_server.rs}, spec §5.2) on the JDK's HTTP
 * server: {@code GET <health path>} and {@code GET <live path>} answer 200 when {@link
 * SystemHealth#isReady ready}, else 503, with Dynamo's JSON body; {@code GET /metrics} answers
 * every metric family (Prometheus text, or OpenMetrics when the {@code Accept} header asks for
 * it); {@code GET /metadata} answers 404 {@code Discovery metadata not available} (there is
 * discovery metadata only on Kubernetes); anything else is 404 {@code Route not found}, and a
 * method other than GET or HEAD on a known path 405.
 *
 * <p>Requests are served by at most 4 threads with at most 64 waiting; past that a connection is
 * closed unanswered. A request must arrive whole within 30 s ({@code sun.net.httpserver.maxReqTime}
 * is set to 30 unless the JVM was started with a value), so a client that stalls mid-request does
 * not hold a thread. A port that cannot be bound fails {@link #start} with {@code CannotConnect}.
 */
public final class SystemStatusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemStatusServer.class);

  static {
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", "30");
    }
  }

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final SystemHealth health;
  private final RuntimeMetrics metrics;
  private final SystemStatusOptions options;
  private final Map<String, Route> extraRoutes = new ConcurrentHashMap<>();

  /** An extra GET route (the status page and its JSON live here). */
  @FunctionalInterface
  public interface Route {
    /** Answers one GET; runs on one of the server's threads. */
    void handle(HttpExchange exchange) throws IOException;
  }

  private SystemStatusServer(HttpServer server, ThreadPoolExecutor executor, SystemHealth health, RuntimeMetrics metrics, SystemStatusOptions options) {
    this.server = server;
    this.executor = executor;
    this.health = health;
    this.metrics = metrics;
    this.options = options;
  }

  /**
   * Binds {@code host:port} (0 = any free port) and starts serving.
   *
   * @throws DynamoException {@code CannotConnect} when the address cannot be bound
   */
  public static SystemStatusServer start(String host, int port, SystemHealth health, RuntimeMetrics metrics, SystemStatusOptions options) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException e) {
      throw new DynamoException(ErrorType.CannotConnect, "cannot bind the system status server to " + host + ":" + port + ": " + e.getMessage(), e);
    }
    ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
        Thread.ofPlatform().name("dynamo4j-status-", 0).daemon(true).factory());
    executor.allowCoreThreadTimeOut(true);
    server.setExecutor(executor);
    SystemStatusServer s = new SystemStatusServer(server, executor, health, metrics, options);
    server.createContext("/", s::dispatch);
    server.start();
    log.info("system status server listening on http://{}:{}/ (health {}, live {}, metrics /metrics)",
        host, server.getAddress().getPort(), options.healthPath(), options.livePath());
    return s;
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Adds (or replaces) a GET route at an exact path. */
  public void addRoute(String path, Route route) {
    extraRoutes.put(path, route);
  }

  private void dispatch(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      boolean known = path.equals(options.healthPath()) || path.equals(options.livePath()) || path.equals("/metrics")
          || path.equals("/metadata") || extraRoutes.containsKey(path);
      if (!known) {
        send(ex, 404, "text/plain; charset=utf-8", "Route not found".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", new byte[0]);
        return;
      }
      if (path.equals(options.healthPath()) || path.equals(options.livePath())) {
        boolean ready = health.isReady();
        send(ex, ready ? 200 : 503, "text/plain; charset=utf-8", healthBody(ready, health.endpoints(), health.uptime()));
      } else if (path.equals("/metrics")) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        String type = metrics.scrape(ex.getRequestHeaders().getFirst("Accept"), body);
        send(ex, 200, type, body.toByteArray());
      } else if (path.equals("/metadata") && !extraRoutes.containsKey(path)) {
        send(ex, 404, "text/plain; charset=utf-8", "Discovery metadata not available".getBytes(StandardCharsets.UTF_8));
      } else {
        extraRoutes.get(path).handle(ex);
      }
    } catch (RuntimeException e) {
      log.warn("system status server: {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
      throw e;
    }
  }

  /**
   * Dynamo's health body: {@code {"endpoints":{<name>:"ready"|"notready"},"status":"ready"|
   * "notready","uptime":{"nanos":n,"secs":s}}}. Keys are sorted, as serde_json's default map
   * writes a {@code json!} value; the uptime is a Rust {@code Duration} as serde writes it.
   */
  public static byte[] healthBody(boolean ready, Map<String, Boolean> endpoints, Duration uptime) {
    return Json.write(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("endpoints");
      for (Map.Entry<String, Boolean> e : new TreeMap<>(endpoints).entrySet()) {
        g.writeStringField(e.getKey(), e.getValue() ? "ready" : "notready");
      }
      g.writeEndObject();
      g.writeStringField("status", ready ? "ready" : "notready");
      g.writeObjectFieldStart("uptime");
      g.writeNumberField("nanos", uptime.toNanosPart());
      g.writeNumberField("secs", uptime.getSeconds());
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  /** A file shipped next to this class (the status page). */
  public static byte[] resource(String name) {
    try (InputStream in = SystemStatusServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " of " + SystemStatusServer.class.getPackageName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a whole response (no body for HEAD). */
  public static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops accepting, lets requests in progress finish for up to a second, then stops. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
