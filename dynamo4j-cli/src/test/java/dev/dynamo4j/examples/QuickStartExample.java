package dev.dynamo4j.examples;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import java.time.Duration;

/** The README's library example. The README shows the lines between the markers, verbatim. */
public final class QuickStartExample {
  private QuickStartExample() {}

  public static void main(String[] args) throws Exception {
    // readme:begin
    try (DistributedRuntime worker = DistributedRuntime.processLocal();
        DistributedRuntime frontend = DistributedRuntime.processLocal()) {
      // Serve: an engine that streams one greeting per requested name.
      worker.namespace("example").component("greeter").endpoint("generate")
          .serve(String.class, (Context<String> request) ->
              ResponseStream.generate(request, out -> {
                for (String name : request.value().split(",")) {
                  if (!out.emit("hello, " + name.trim())) {
                    return; // the caller stopped or went away
                  }
                }
              }));

      // Call: find an instance through discovery and stream the answer.
      Client<String, String> client =
          frontend.endpoint("example/greeter/generate").client(String.class);
      client.waitForInstances(Duration.ofSeconds(5));
      try (ResponseStream<String> answer = client.call("Ada, Grace, Barbara")) {
        for (String line : answer) {
          System.out.println(line);
        }
      }
    }
    // readme:end
  }
}
