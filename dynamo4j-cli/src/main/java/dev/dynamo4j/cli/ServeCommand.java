package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.engine.AsyncEngine;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j serve ns/comp/ep}: a worker with a built-in engine, until Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a built-in engine on an endpoint until Ctrl-C.",
      "",
      "SIGINT/SIGTERM shut down gracefully: leave discovery, drain requests in flight for up to "
          + "DYN_WORKER_GRACEFUL_SHUTDOWN_TIMEOUT, close. Engines: echo (answers the request as one item), tokens (streams "
          + "the prompt's words, --tokens of them, --delay-ms apart), bytes (for benchmarks: {\"items\":N,\"size\":S} "
          + "streams N strings of S characters, no delay).",
      "",
      "On etcd (--backend etcd) a lease lost while etcd was away is renewed and the endpoint served under the new "
          + "instance id (a line says so); DYN_ETCD_LEASE_LOSS_POLICY=shutdown exits with 1 instead, as Dynamo does."
    },
    footer = {"", "Example:", "  dynamo4j serve demo/backend/generate --engine tokens --tokens 20 --delay-ms 30", "  dynamo4j call demo/backend/generate '\"the quick brown fox\"'"})
final class ServeCommand implements Callable<Integer> {
  @Mixin RuntimeOptions runtime;

  @Parameters(paramLabel = "NS/COMP/EP", description = "The endpoint to serve.")
  String endpoint;

  @Option(names = "--engine", description = "echo or tokens (default: ${DEFAULT-VALUE}).", defaultValue = "tokens")
  String engine;

  @Option(names = "--tokens", description = "tokens engine: how many tokens per request unless the request says max_tokens (default: ${DEFAULT-VALUE}).", defaultValue = "16")
  int tokens;

  @Option(names = "--delay-ms", description = "tokens engine: pause between tokens (default: ${DEFAULT-VALUE}).", defaultValue = "50")
  long delayMs;

  @Option(names = "--name", description = "Label put in front of every token, to tell workers apart (default: none).")
  String label;

  static AsyncEngine<Context<JsonNode>, ResponseStream<Object>> echo() {
    return req -> ResponseStream.of(req.controller(), List.<Object>of(req.value()));
  }

  /** {@code {"items": N, "size": S}}: N items of S characters each, as fast as the consumer takes them. */
  static AsyncEngine<Context<JsonNode>, ResponseStream<Object>> bytes() {
    return req -> {
      int n = req.value().path("items").asInt(1);
      String item = "x".repeat(Math.max(0, req.value().path("size").asInt(0)));
      return ResponseStream.generate(req, out -> {
        for (int i = 0; i < n; i++) {
          if (!out.emit(item)) {
            return;
          }
        }
      });
    };
  }

  /** Streams the words of the prompt ({@code "text"} or {@code {"prompt": "...", "max_tokens": n}}), cycling, n of them. */
  static AsyncEngine<Context<JsonNode>, ResponseStream<Object>> tokens(int defaultTokens, long delayMs, String label) {
    return req -> {
      JsonNode v = req.value();
      String prompt = v.isTextual() ? v.textValue() : v.path("prompt").asText("");
      int n = v.path("max_tokens").isInt() ? v.get("max_tokens").intValue() : defaultTokens;
      String[] words = prompt.isBlank() ? new String[] {"token"} : prompt.trim().split("\\s+");
      return ResponseStream.generate(req, out -> {
        for (int i = 0; i < n; i++) {
          if (delayMs > 0) {
            Thread.sleep(delayMs); // pacing of a pretend model
          }
          String w = words[i % words.length];
          if (!out.emit(label == null ? w : label + ":" + w)) {
            return;
          }
        }
      });
    };
  }

  @Override
  public Integer call() throws Exception {
    if (tokens < 0 || delayMs < 0) {
      System.err.println("dynamo4j serve: --tokens and --delay-ms must not be negative");
      return 2;
    }
    AsyncEngine<Context<JsonNode>, ResponseStream<Object>> e =
        switch (engine) {
          case "echo" -> echo();
          case "tokens" -> tokens(tokens, delayMs, label);
          case "bytes" -> bytes();
          default -> {
            System.err.println("dynamo4j serve: unknown engine '" + engine + "'; use echo or tokens");
            yield null;
          }
        };
    if (e == null) {
      return 2;
    }
    DistributedRuntime rt = runtime.build().installShutdownHook();
    // what 'dynamo4j nats stats' shows as this endpoint's data (NATS request plane only)
    AtomicReference<ServedEndpoint> self = new AtomicReference<>();
    ServedEndpoint served = rt.endpoint(endpoint)
        .statsHandler(() -> self.get() == null ? null
            : Map.of("engine", engine, "requests", self.get().metrics().requests(), "inflight", self.get().metrics().inflight()))
        .serve(JsonNode.class, e);
    self.set(served);
    System.out.println("serving " + served.instance().endpointId() + " as instance " + served.instance().instanceIdHex() + " at "
        + served.instance().transport().tag() + " " + served.instance().transport().address() + " (" + engine + " engine, discovery "
        + runtime.discovery.describe(rt.config()) + "); Ctrl-C to stop");
    String status = RuntimeOptions.statusUrl(rt);
    if (status != null) {
      System.out.println("status server at " + status + " (health " + rt.config().systemStatus().healthPath() + ", metrics /metrics)");
    }
    System.out.flush();
    rt.addInstanceListener(new DistributedRuntime.InstanceListener() {
      @Override
      public void instanceIdChanged(long oldId, long newId) {
        System.out.println("re-registered as instance " + Long.toHexString(newId) + " (was " + Long.toHexString(oldId)
            + "): the discovery lease was lost and renewed; serving at " + served.instance().transport().address());
        System.out.flush();
      }

      @Override
      public void instanceLost(long id) {
        System.err.println("dynamo4j serve: instance " + Long.toHexString(id) + " lost its discovery lease (DYN_ETCD_LEASE_LOSS_POLICY=shutdown); shutting down");
      }
    });
    // the shutdown hook (SIGINT/SIGTERM) or a lost registration closes the runtime
    rt.awaitTermination();
    return rt.instanceLost() ? 1 : 0;
  }
}
