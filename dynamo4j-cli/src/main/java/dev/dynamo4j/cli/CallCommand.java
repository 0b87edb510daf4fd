package dev.dynamo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.network.RouterMode;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.WireFormatException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j call ns/comp/ep '<json>'}: one request, the answer printed as it streams. */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = "Send one request to an endpoint and print the answer as it streams (Ctrl-C stops the worker's engine).",
    footer = {"", "Examples:", "  dynamo4j call demo/backend/generate '\"hello there\"'", "  dynamo4j call demo/backend/generate '{\"prompt\":\"a b c\",\"max_tokens\":5}' --json --router random"})
final class CallCommand implements Callable<Integer> {
  @Mixin RuntimeOptions runtime;

  @Parameters(index = "0", paramLabel = "NS/COMP/EP", description = "The endpoint to call.")
  String endpoint;

  @Parameters(index = "1", paramLabel = "JSON", description = "The request, as JSON (a JSON string needs its quotes).")
  String request;

  @Option(names = "--json", description = "Print each item as one line of compact JSON.")
  boolean json;

  @Option(names = "--router", paramLabel = "MODE", description = "round_robin (default), random, power_of_two_choices, least_loaded.")
  String router = "round_robin";

  @Option(names = "--instance", paramLabel = "HEX", description = "Send to this instance id (direct routing).")
  String instance;

  @Option(names = "--wait", paramLabel = "SECONDS", description = "How long to wait for an instance to appear (default: ${DEFAULT-VALUE}).", defaultValue = "10")
  long waitSeconds;

  @Override
  public Integer call() throws Exception {
    JsonNode body;
    try {
      body = Json.parse("request", request.getBytes(StandardCharsets.UTF_8));
    } catch (WireFormatException e) {
      System.err.println("dynamo4j call: the request is not JSON: " + e.getMessage() + " (a text needs quotes: '\"hello\"')");
      return 2;
    }
    RouterMode mode = RouterMode.parse(router);
    PrintStream out = System.out;
    try (DistributedRuntime rt = runtime.build()) {
      Client<JsonNode, JsonNode> client = rt.endpoint(endpoint).client(Json.MAPPER.constructType(JsonNode.class), mode);
      client.waitForInstances(Duration.ofSeconds(waitSeconds));
      Context<JsonNode> ctx = Context.of(body);
      ResponseStream<JsonNode> stream =
          instance != null ? client.direct(ctx, Long.parseUnsignedLong(instance, 16)) : client.generate(ctx);
      Thread hook = new Thread(stream::close);
      Runtime.getRuntime().addShutdownHook(hook);
      boolean text = true;
      try (stream) {
        for (JsonNode item : stream) {
          if (json) {
            out.println(item.toString());
          } else if (item.isTextual()) {
            out.print(item.textValue() + " ");
          } else {
            text = false;
            out.println(item.toString());
          }
          out.flush();
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // Ctrl-C: the hook is closing the stream
        }
      }
      if (!json && text) {
        out.println();
      }
    }
    return 0;
  }
}
