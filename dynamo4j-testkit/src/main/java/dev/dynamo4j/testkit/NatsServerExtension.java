package dev.dynamo4j.testkit;

/**
 * A real nats-server (with JetStream) for a whole test class: {@code @RegisterExtension static
 * final NatsServerExtension server = new NatsServerExtension();} then {@code server.url()}.
 */
public final class NatsServerExtension extends ServerExtension<NatsServer> {
  @Override
  protected NatsServer start() throws Exception {
    return NatsServer.start();
  }

  /** {@code nats://127.0.0.1:<port>} */
  public String url() {
    return server().url();
  }
}
