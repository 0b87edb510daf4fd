package dev.dynamo4j.testkit;

import java.io.IOException;

/**
 * A real etcd for a whole test class: {@code @RegisterExtension static final EtcdServerExtension
 * etcd = new EtcdServerExtension();} then {@code etcd.endpoint()}.
 */
public final class EtcdServerExtension extends ServerExtension<EtcdServer> {
  @Override
  protected EtcdServer start() throws Exception {
    return EtcdServer.start();
  }

  /** {@code http://127.0.0.1:<client port>} */
  public String endpoint() {
    return server().endpoint();
  }

  /** {@code etcdctl} against this server; see {@link EtcdServer#etcdctl}. */
  public EtcdServer.Result etcdctl(String... args) throws IOException, InterruptedException {
    return server().etcdctl(args);
  }
}
