package dev.dynamo4j.spi.network;

import dev.dynamo4j.wire.TcpAck;

/**
 * What a worker's {@link RouteTable} decided about one request, whatever plane carried it: accepted
 * ({@link #rejection()} is {@code null}) or refused with Dynamo's text, {@code Server overloaded:
 * worker at capacity} or {@code Server unavailable: unknown endpoint <key>}. Each plane answers in
 * its own form (the TCP and ZMQ planes send the text as a {@link TcpAck} body, NATS as the reply).
 *
 * @param rejection the refusal's text, {@code null} when accepted
 */
public record Admission(String rejection) {
  /** Accepted: queued, started, or run right away. */
  public static final Admission ACCEPTED = new Admission(null);

  /** {@code Server overloaded: worker at capacity} */
  public static Admission overloaded() {
    return new Admission(TcpAck.overloaded().text());
  }

  /** {@code Server unavailable: unknown endpoint <key>} */
  public static Admission unknownEndpoint(String key) {
    return new Admission(TcpAck.unknownEndpoint(key).text());
  }

  public boolean accepted() {
    return rejection == null;
  }

  /** The reply as the TCP and ZMQ planes send it: empty when accepted, else the text. */
  public TcpAck toTcpAck() {
    return rejection == null ? TcpAck.OK : TcpAck.ofText(rejection);
  }
}
