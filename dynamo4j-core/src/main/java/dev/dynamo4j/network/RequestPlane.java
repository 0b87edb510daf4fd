package dev.dynamo4j.network;

/** A request transport: its shared server and its client, owned by one runtime. */
public interface RequestPlane extends AutoCloseable {
  /** Short name: {@code tcp}, {@code nats}, {@code in_process}. */
  String name();

  /** The process's server, started on first use. */
  RequestServer server();

  RequestClient client();

  /** True when this plane's client can send to {@code address}. */
  boolean canReach(dev.dynamo4j.runtime.TransportType address);

  /** The response plane callers of this plane use for their response streams. */
  ResponsePlane responsePlane();

  @Override
  void close();
}
