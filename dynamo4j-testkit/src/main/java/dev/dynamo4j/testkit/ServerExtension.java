package dev.dynamo4j.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server process for a whole test class, started before the class's own {@code
 * @BeforeAll} methods and stopped after its {@code @AfterAll} ones (register it on a static field
 * with {@code @RegisterExtension}). Fails, never skips, when the server cannot start.
 */
public abstract class ServerExtension<S extends ServerProcess> implements BeforeAllCallback, AfterAllCallback {
  private S server;

  /** Starts the server (called once per test class). */
  protected abstract S start() throws Exception;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public S server() {
    if (server == null) {
      throw new IllegalStateException(getClass().getSimpleName() + ": the server of this test class is not running (register the extension on a static field)");
    }
    return server;
  }
}
