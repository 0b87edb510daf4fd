package dev.dynamo4j.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.Instance;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.etcd.EtcdSettings;
import dev.dynamo4j.nats.NatsSettings;
import dev.dynamo4j.pipeline.PipelineNode;
import dev.dynamo4j.pipeline.PipelineOperator;
import dev.dynamo4j.pipeline.SegmentSink;
import dev.dynamo4j.pipeline.ServiceFrontend;
import dev.dynamo4j.runtime.Client;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.ServedEndpoint;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job. By default: three workers in separate JVMs ({@code dynamo4j serve}), found
 * through file discovery and called over TCP by this process's frontend, through a pipeline;
 * one worker is killed with SIGKILL mid-answer and the others take over; then the workers are
 * stopped with SIGTERM and shut down gracefully. {@code --in-process} runs worker and frontend
 * in this JVM instead.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run workers in separate processes and stream answers from them.",
      "",
      "Starts workers as separate processes, streams answers to them through a pipeline and the router, kills one "
          + "mid-answer to show the others taking over, then shuts everything down. Embedded defaults: file discovery, "
          + "TCP request plane, no server to install (--backend etcd --etcd-endpoints URLS runs it on etcd). "
          + "--in-process keeps everything in this JVM."
    })
final class DemoCommand implements Callable<Integer> {
  @Mixin DiscoveryOptions discovery;

  @Option(names = "--workers", description = "How many worker processes (default: ${DEFAULT-VALUE}).", defaultValue = "3")
  int workers;

  @Option(names = "--requests", description = "How many requests to send (default: ${DEFAULT-VALUE}).", defaultValue = "5")
  int requests;

  @Option(names = "--delay-ms", description = "Pause between tokens of the pretend model (default: ${DEFAULT-VALUE}).", defaultValue = "25")
  long delayMs;

  @Option(names = "--prompt", description = "What to ask (default: ${DEFAULT-VALUE}).", defaultValue = "How does dynamo4j stream an answer?")
  String prompt;

  @Option(names = "--in-process", description = "Worker and frontend in this JVM, in-process request plane (no child processes).")
  boolean inProcess;

  @Option(names = "--no-kill", description = "Do not kill a worker mid-answer.")
  boolean noKill;

  @Option(names = "--system-port", paramLabel = "PORT",
      description = "Run the system status server (status page, /health, /metrics) of the demo's own runtime on this port (0: a free one); "
          + "its URL is printed. With --in-process that runtime serves the endpoint; otherwise it is the frontend.")
  Integer systemPort;

  private RuntimeConfig withSystemPort(RuntimeConfig c) {
    return systemPort == null ? c : c.toBuilder().systemPort(systemPort).build();
  }

  private static void printStatusUrl(PrintStream out, DistributedRuntime rt) {
    String url = RuntimeOptions.statusUrl(rt);
    if (url != null) {
      out.println("  status    " + url + " (status page; /health, /metrics)");
    }
  }

  static final String ANSWER =
      "the frontend sends the request over the request plane the worker acknowledges it calls home and streams one token at a time until the final marker";

  /** What the frontend sends: the tokens engine reads {@code prompt} and {@code max_tokens}. */
  record Request(@JsonProperty("prompt") String prompt, @JsonProperty("max_tokens") int maxTokens) {}

  /** A token as the frontend shows it: which worker produced it and how fast the request was accepted. */
  record Token(String worker, String text, long acceptedMicros) {}

  interface Frontend {
    ResponseStream<Token> ask(String prompt) throws Exception;
  }

  /** frontend -> preprocess -> timing operator -> client -> postprocess -> timing operator -> frontend */
  static Frontend pipeline(Client<Request, String> client, int maxTokens) {
    ServiceFrontend<Context<String>, ResponseStream<Token>> service = ServiceFrontend.create();
    PipelineNode<Context<String>, Context<Request>> preprocess = PipelineNode.create(req -> req.map(p -> new Request(ANSWER, maxTokens)));
    PipelineOperator<Context<Request>, ResponseStream<Token>, Context<Request>, ResponseStream<Token>> timing =
        PipelineOperator.create((req, next) -> {
          long start = System.nanoTime();
          ResponseStream<Token> answer = next.generate(req);
          long acceptedUs = (System.nanoTime() - start) / 1000;
          return answer.map(t -> new Token(t.worker(), t.text(), acceptedUs));
        });
    SegmentSink<Context<Request>, ResponseStream<String>> network = SegmentSink.create();
    network.attach(client);
    PipelineNode<ResponseStream<String>, ResponseStream<Token>> postprocess =
        PipelineNode.create(stream -> stream.map(s -> {
          int colon = s.indexOf(':');
          return colon < 0 ? new Token("?", s, 0) : new Token(s.substring(0, colon), s.substring(colon + 1), 0);
        }));
    service.link(preprocess).link(timing.forwardEdge()).link(network).link(postprocess).link(timing.backwardEdge()).link(service);
    return p -> service.generate(Context.of(p));
  }

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || requests < 1 || delayMs < 0) {
      System.err.println("dynamo4j demo: --workers and --requests must be at least 1, --delay-ms not negative");
      return 2;
    }
    return inProcess ? inProcess() : multiProcess();
  }

  private int inProcess() throws Exception {
    PrintStream out = System.out;
    RuntimeConfig config = discovery.config().toBuilder().requestPlane(RuntimeConfig.IN_PROCESS).build();
    out.println("dynamo4j demo: one process, discovery in " + discovery.describe(config) + ", in-process request plane");
    String component = "backend-" + runId();
    try (DistributedRuntime worker = DistributedRuntime.builder().config(withSystemPort(config)).build();
        DistributedRuntime frontend = DistributedRuntime.builder().config(config).build()) {
      ServedEndpoint served = worker.namespace("demo").component(component).endpoint("generate")
          .serve(JsonNode.class, ServeCommand.tokens(16, delayMs, "worker"));
      printStatusUrl(out, worker);
      out.printf("  worker    serves %s as instance %s (%s)%n", served.instance().endpointId(), served.instance().instanceIdHex(), served.instance().transport().tag());
      Client<Request, String> client = frontend.namespace("demo").component(component).endpoint("generate").client(String.class);
      client.waitForInstances(Duration.ofSeconds(10));
      out.println("  pipeline  frontend -> preprocess -> timing operator -> client -> postprocess -> frontend");
      Frontend f = pipeline(client, 26);
      for (int r = 1; r <= requests; r++) {
        answer(out, f, r, null);
      }
      out.println("  shutdown  worker leaves discovery, drains, closes");
    }
    out.println("dynamo4j demo: finished");
    return 0;
  }

  private int multiProcess() throws Exception {
    PrintStream out = System.out;
    RuntimeConfig config = discovery.config().toBuilder().requestPlane("tcp").build();
    String component = "backend-" + runId();
    String endpoint = "demo/" + component + "/generate";
    long started = System.nanoTime();
    boolean serverless = config.discoveryBackend().equals("file") || config.discoveryBackend().equals("mem");
    out.println("dynamo4j demo: " + workers + " workers in separate JVMs, discovery in " + discovery.describe(config) + ", TCP request plane"
        + (serverless ? ", no server" : ""));
    Path logs = Files.createTempDirectory("dynamo4j-demo-");
    Map<String, WorkerProcess> procs = new LinkedHashMap<>();
    try {
      List<String> common = new ArrayList<>(List.of(endpoint, "--engine", "tokens", "--delay-ms", Long.toString(delayMs), "--backend", config.discoveryBackend()));
      if (config.discoveryBackend().equals("file")) {
        common.addAll(List.of("--file-kv", config.fileKvRoot().toString()));
      }
      String etcd = EtcdSettings.ENDPOINTS.read(config.variables());
      if (etcd != null) {
        common.addAll(List.of("--etcd-endpoints", etcd));
      }
      String nats = NatsSettings.SERVER.read(config.variables());
      if (nats != null) {
        common.addAll(List.of("--nats-server", nats));
      }
      out.printf("  starting  %d x 'dynamo4j serve %s' (logs in %s)%n", workers, endpoint, logs);
      for (int i = 1; i <= workers; i++) {
        String name = "worker-" + i;
        List<String> args = new ArrayList<>(common);
        args.addAll(List.of("--name", name));
        procs.put(name, WorkerProcess.start(name, args, logs));
      }
      for (WorkerProcess w : procs.values()) {
        String line = w.awaitReady(Duration.ofSeconds(60));
        String instance = line.replaceAll(".* as instance (\\S+) at tcp (\\S+?)/.*", "$1 at tcp $2");
        out.printf("  %-9s pid %d, instance %s%n", w.name, w.pid(), instance);
      }
      try (DistributedRuntime frontend = DistributedRuntime.builder().config(withSystemPort(config)).build()) {
        printStatusUrl(out, frontend);
        Client<Request, String> client = frontend.endpoint(endpoint).client(String.class);
        List<Instance> seen = client.waitUntil(l -> l.size() == workers, Duration.ofSeconds(20));
        out.printf("  frontend  sees %d instances of %s in discovery; routes round_robin through%n", seen.size(), endpoint);
        out.println("            frontend -> preprocess -> timing operator -> client -> postprocess -> frontend");
        Frontend f = pipeline(client, 12);
        int killAt = noKill || workers < 2 ? -1 : Math.min(3, requests);
        for (int r = 1; r <= requests; r++) {
          answer(out, f, r, r == killAt ? procs : null);
        }
      }
      out.printf("  shutdown  SIGTERM to the surviving workers: each leaves discovery, drains, exits%n");
      for (WorkerProcess w : procs.values()) {
        if (w.process.isAlive()) {
          int code = w.terminate(Duration.ofSeconds(30));
          out.printf("            %s exited with %d%s%n", w.name, code, code == 143 || code == 0 ? " (graceful)" : "");
        }
      }
      out.printf("dynamo4j demo: finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
      return 0;
    } finally {
      for (WorkerProcess w : procs.values()) {
        w.close();
      }
    }
  }

  /** Sends one request and prints it; with {@code victims}, kills the answering worker mid-answer and retries. */
  private void answer(PrintStream out, Frontend f, int r, Map<String, WorkerProcess> victims) throws Exception {
    for (int attempt = 1; attempt <= 3; attempt++) {
      long start = System.nanoTime();
      int tokens = 0;
      String worker = null;
      long killedAt = 0;
      out.printf("  request %d ", r);
      out.flush();
      try (ResponseStream<Token> stream = f.ask(prompt)) {
        for (Token t : stream) {
          if (worker == null) {
            worker = t.worker();
            out.printf("-> %s (accepted in %.1f ms): ", worker, t.acceptedMicros() / 1000.0);
          }
          out.print(t.text() + " ");
          out.flush();
          tokens++;
          if (victims != null && tokens == 3 && killedAt == 0 && victims.containsKey(worker)) {
            out.printf("%n            !! killing %s (pid %d) with SIGKILL mid-answer", worker, victims.get(worker).pid());
            out.println();
            killedAt = System.nanoTime();
            victims.get(worker).kill();
          }
        }
        out.printf("%n            %d tokens in %.2f s%n", tokens, (System.nanoTime() - start) / 1e9);
        return;
      } catch (DynamoException e) {
        String after = killedAt == 0 ? "" : String.format(", %d ms after the kill", (System.nanoTime() - killedAt) / 1_000_000);
        out.printf("%s            !! %s stopped after %d tokens: %s%s%n", killedAt == 0 ? System.lineSeparator() : "", worker == null ? "the request" : worker, tokens, e, after);
        out.println("            the router now avoids that instance; retrying on another worker");
        victims = null;
      }
    }
    throw new IllegalStateException("request " + r + " failed three times");
  }

  private static String runId() {
    byte[] b = new byte[3];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
