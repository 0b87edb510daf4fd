package dev.dynamo4j.events;

import com.fasterxml.jackson.databind.JavaType;
import dev.dynamo4j.wire.EventEnvelope;
import dev.dynamo4j.wire.Json;
import dev.dynamo4j.wire.PayloadCodec;

/**
 * One event as a subscriber sees it: the envelope (publisher, sequence, time, topic) and the
 * payload, which {@link #decode} reads with the codec of the event plane.
 */
public record ReceivedEvent(EventEnvelope envelope, PayloadCodec codec) {
  public long publisherId() {
    return envelope.publisherId();
  }

  public long sequence() {
    return envelope.sequence();
  }

  /** The raw payload bytes (not copied). */
  public byte[] payload() {
    return envelope.payload();
  }

  /**
   * The payload as a typed value.
   *
   * @throws dev.dynamo4j.wire.WireFormatException when the payload is not a {@code type}
   */
  public <T> T decode(Class<T> type) {
    return decode(Json.MAPPER.constructType(type));
  }

  public <T> T decode(JavaType type) {
    return codec.decode(envelope.payload(), type);
  }
}
