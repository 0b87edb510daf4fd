package dev.dynamo4j.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real nats-server (with JetStream) for a whole test class, started before the class's own
 * {@code @BeforeAll} methods and stopped after its {@code @AfterAll} ones:
 * {@code @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();}
 * then {@code server.url()}. Fails, never skips, when nats-server is missing.
 */
public final class NatsServerExtension implements BeforeAllCallback, AfterAllCallback {
  private NatsServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = NatsServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public NatsServer server() {
    if (server == null) {
      throw new IllegalStateException("the nats-server of this test class is not running (register the extension on a static field)");
    }
    return server;
  }

  /** {@code nats://127.0.0.1:<port>} */
  public String url() {
    return server().url();
  }
}
