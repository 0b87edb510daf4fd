package dev.dynamo4j.testkit;

import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd for a whole test class, started before the class's own {@code @BeforeAll} methods
 * and stopped after its {@code @AfterAll} ones: {@code @RegisterExtension static final
 * EtcdServerExtension etcd = new EtcdServerExtension();} then {@code etcd.endpoint()}. Fails, never
 * skips, when etcd is missing.
 */
public final class EtcdServerExtension implements BeforeAllCallback, AfterAllCallback {
  private EtcdServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = EtcdServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public EtcdServer server() {
    if (server == null) {
      throw new IllegalStateException("the etcd of this test class is not running (register the extension on a static field)");
    }
    return server;
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
