package dev.dynamo4j.tcp;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.network.ResponseStreamOptions;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import java.nio.file.Path;

/**
 * A worker process for the cross-process tests: {@code <file kv root> <namespace> <tag>
 * [<mux connections>]}; streams "tag-i" every 10 ms until stopped.
 */
public final class TcpWorkerChild {
  public static void main(String[] args) throws Exception {
    int muxConnections = args.length > 3 ? Integer.parseInt(args[3]) : ResponseStreamOptions.DEFAULTS.muxConnections();
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(Path.of(args[0]))
        .responseStreams(ResponseStreamOptions.DEFAULTS.withMuxConnections(muxConnections, ResponseStreamOptions.DEFAULTS.streamWindowBytes()))
        .build();
    DistributedRuntime rt = DistributedRuntime.builder().config(cfg).build().installShutdownHook();
    String tag = args[2];
    rt.namespace(args[1]).component("worker").endpoint("generate").serve(Integer.class, (Context<Integer> req) ->
        ResponseStream.generate(req, out -> {
          for (int i = 0; i < req.value(); i++) {
            Thread.sleep(10); // pacing of a pretend model
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
