package dev.dynamo4j.testkit;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.spi.config.ResponseStreamOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker process for cross-process tests (run with {@link ChildJvm}): {@code <file kv root>
 * <namespace> <tag> [<request plane> [<mux connections> [<zmq response path> [<nats url>]]]]} (plane
 * as {@code DYN_REQUEST_PLANE}, default tcp; its module must be on the test's class path; path as
 * {@code DYN_ZMQ_RESPONSE_PATH}; the NATS URL for the NATS plane, {@code -} for none). Serves {@code <namespace>/worker/generate},
 * which streams "tag-0", "tag-1", ... at a model's pace (one every 10 ms) until stopped or the
 * asked-for count, and prints {@code READY <instance id hex>} once serving.
 */
public final class StreamingWorkerChild {
  private StreamingWorkerChild() {}

  public static void main(String[] args) throws Exception {
    String plane = args.length > 3 ? args[3] : "tcp";
    int muxConnections = args.length > 4 ? Integer.parseInt(args[4]) : ResponseStreamOptions.DEFAULTS.muxConnections();
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(Path.of(args[0])).requestPlane(plane)
        .responseStreams(ResponseStreamOptions.DEFAULTS.withMuxConnections(muxConnections, ResponseStreamOptions.DEFAULTS.streamWindowBytes()))
        .variable("DYN_ZMQ_RESPONSE_PATH", args.length > 5 ? args[5] : "tcp")
        .variable("NATS_SERVER", args.length > 6 && !args[6].equals("-") ? args[6] : null)
        .build();
    DistributedRuntime rt = DistributedRuntime.builder().config(cfg).build().installShutdownHook();
    String tag = args[2];
    rt.namespace(args[1]).component("worker").endpoint("generate").serve(Integer.class, (Context<Integer> req) ->
        ResponseStream.generate(req, out -> {
          for (int i = 0; i < req.value(); i++) {
            // the pace of a pretend model (a token every 10 ms), not a wait for anything
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            if (!out.emit(tag + "-" + i)) {
              return;
            }
          }
        }));
    System.out.println("READY " + Long.toHexString(rt.instanceId()));
    System.out.flush();
    Thread.currentThread().join();
  }
}
