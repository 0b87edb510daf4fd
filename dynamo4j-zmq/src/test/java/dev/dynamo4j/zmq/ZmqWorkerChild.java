package dev.dynamo4j.zmq;

import dev.dynamo4j.engine.Context;
import dev.dynamo4j.engine.ResponseStream;
import dev.dynamo4j.runtime.DistributedRuntime;
import dev.dynamo4j.runtime.RuntimeConfig;
import java.nio.file.Path;

/**
 * A worker process on the ZMQ request plane for the cross-process test: {@code <file kv root>
 * <namespace> <tag>}; streams "tag-i" every 10 ms until stopped.
 */
public final class ZmqWorkerChild {
  public static void main(String[] args) throws Exception {
    RuntimeConfig cfg = RuntimeConfig.builder().discoveryBackend("file").fileKvRoot(Path.of(args[0]))
        .requestPlane(RuntimeConfig.RequestPlaneMode.ZMQ).build();
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
