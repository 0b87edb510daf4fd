package dev.dynamo4j.cli;

import dev.dynamo4j.engine.Annotated;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.pipeline.PipelineNode;
import dev.dynamo4j.pipeline.PipelineOperator;
import dev.dynamo4j.pipeline.SegmentSink;
import dev.dynamo4j.pipeline.ServiceFrontend;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import dev.dynamo4j.runtime.ServedEndpoint;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The process-local demo: a worker runtime serves a token-streaming engine, a frontend runtime
 * calls it through a pipeline (pre-processor, operator, network segment, post-processor), and
 * the answer is printed as it streams.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a token-streaming engine and call it through a pipeline, all in this process.",
      "Uses file discovery (the embedded default; --backend mem keeps it in memory) and the in-process",
      "request plane: no server to install, no socket."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--prompt", description = "What to ask (default: ${DEFAULT-VALUE}).", defaultValue = "How does dynamo4j stream an answer?")
  String prompt;

  @Option(names = "--delay-ms", description = "Pause between tokens, in milliseconds (default: ${DEFAULT-VALUE}).", defaultValue = "40")
  long delayMs;

  @picocli.CommandLine.Mixin DiscoveryOptions discovery;

  record Request(String prompt, int maxTokens) {}

  static final String ANSWER =
      "The frontend sends the request over the request plane, the worker acknowledges it, calls home, "
          + "and streams one token at a time until the final marker.";

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (delayMs < 0) {
      System.err.println("dynamo4j demo: --delay-ms must not be negative");
      return 2;
    }
    RuntimeConfig config = discovery.config().toBuilder().requestPlane(RuntimeConfig.RequestPlaneMode.IN_PROCESS).build();
    out.println("dynamo4j demo: one process, discovery in " + discovery.describe(config) + ", in-process request plane");
    try (DistributedRuntime worker = DistributedRuntime.builder().config(config).build();
        DistributedRuntime frontend = DistributedRuntime.builder().config(config).build()) {
      ServedEndpoint served =
          worker.namespace("demo").component("backend").endpoint("generate").serve(Request.class, (Context<Request> req) ->
              ResponseStream.generate(req, emitter -> {
                String[] words = ANSWER.split(" ");
                int n = Math.min(words.length, req.value().maxTokens());
                for (int i = 0; i < n; i++) {
                  if (delayMs > 0) {
                    Thread.sleep(delayMs); // pacing of a pretend model, not a wait for a condition
                  }
                  if (!emitter.emit(Annotated.fromData(words[i]))) {
                    return;
                  }
                }
              }));
      out.printf("  worker    serves %s as instance %s (%s)%n", served.instance().endpointId(), served.instance().instanceIdHex(),
          served.instance().transport().tag());

      Client<Request, Annotated<String>> client = frontend.endpoint("demo/backend/generate").client(
          dev.dynamo4j.wire.Json.MAPPER.getTypeFactory().constructParametricType(Annotated.class, String.class));
      client.waitUntil(list -> list.stream().anyMatch(i -> i.instanceId() == served.instance().instanceId()), Duration.ofSeconds(10));

      // frontend -> preprocess -> operator -> network segment -> postprocess -> operator -> frontend
      ServiceFrontend<Context<String>, ResponseStream<Annotated<String>>> service = ServiceFrontend.create();
      PipelineNode<Context<String>, Context<Request>> preprocess = PipelineNode.create(req -> req.map(p -> new Request(p.trim(), 64)));
      PipelineOperator<Context<Request>, ResponseStream<Annotated<String>>, Context<Request>, ResponseStream<Annotated<String>>> timing =
          PipelineOperator.create((req, next) -> {
            long start = System.nanoTime();
            ResponseStream<Annotated<String>> answer = next.generate(req);
            long acceptedUs = (System.nanoTime() - start) / 1000;
            return answer.prepend(Annotated.fromAnnotation("accepted_us", acceptedUs));
          });
      SegmentSink<Context<Request>, ResponseStream<Annotated<String>>> network = SegmentSink.create();
      long workerId = served.instance().instanceId();
      network.attach(req -> client.direct(req, workerId)); // our own worker, whatever else is registered
      PipelineNode<ResponseStream<Annotated<String>>, ResponseStream<Annotated<String>>> postprocess =
          PipelineNode.create(stream -> stream.map(a -> a.data() == null ? a : a.transfer(a.data().toLowerCase(Locale.ROOT))));
      service.link(preprocess).link(timing.forwardEdge()).link(network).link(postprocess).link(timing.backwardEdge()).link(service);
      out.println("  pipeline  frontend -> preprocess -> timing operator -> client -> postprocess -> frontend");
      out.printf("  prompt    %s%n", prompt);
      out.print("  answer    ");
      out.flush();

      long start = System.nanoTime();
      long firstTokenNs = -1;
      int tokens = 0;
      try (ResponseStream<Annotated<String>> stream = service.generate(Context.of(prompt))) {
        for (Annotated<String> item : stream) {
          if (item.isError()) {
            out.println();
            System.err.println("dynamo4j demo: the worker reported an error: " + item.comment());
            return 1;
          }
          if (item.data() == null) {
            continue; // the operator's annotation; shown in the summary
          }
          if (firstTokenNs < 0) {
            firstTokenNs = System.nanoTime() - start;
          }
          out.print(item.data() + " ");
          out.flush();
          tokens++;
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      out.println();
      out.printf("  done      %d tokens in %.2f s, first token after %d ms%n", tokens, secs, firstTokenNs / 1_000_000);
      out.println("  shutdown  worker leaves discovery, drains, closes");
    }
    out.println("dynamo4j demo: finished");
    return 0;
  }
}
