package dev.dynamo4j.kubernetes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A fake Kubernetes API server that answers from a script and records every request (as Dynamo's
 * own kube.rs tests do with an in-process router): for asserting the exact requests a writer
 * makes and how it takes each answer. An unscripted request gets a 599 and fails the test.
 */
final class ScriptedApiServer implements AutoCloseable {
  record Request(String method, String pathAndQuery, String contentType, String body) {}

  record Answer(int status, String body) {}

  private final HttpServer server;
  private final Deque<Answer> script = new ArrayDeque<>();
  final List<Request> requests = new ArrayList<>();

  ScriptedApiServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      byte[] in = ex.getRequestBody().readAllBytes();
      Answer a;
      synchronized (this) {
        String q = ex.getRequestURI().getRawQuery();
        requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath() + (q == null ? "" : "?" + q),
            ex.getRequestHeaders().getFirst("Content-Type"), new String(in, StandardCharsets.UTF_8)));
        a = script.isEmpty() ? new Answer(599, "{\"message\":\"unscripted request\"}") : script.poll();
      }
      byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        ex.getResponseBody().write(out);
      }
      ex.close();
    });
    server.start();
  }

  synchronized ScriptedApiServer then(int status, String body) {
    script.add(new Answer(status, body));
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
