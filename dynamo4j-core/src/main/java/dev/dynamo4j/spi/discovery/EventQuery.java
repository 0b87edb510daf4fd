package dev.dynamo4j.spi.discovery;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.wire.SubjectEncoding;

/**
 * Which event channels or sources to list: all, one scope, or one scope and topic. {@code scope}
 * and {@code topic} may be {@code null}; a topic without a scope is not allowed.
 */
public record EventQuery(EventScope scope, String topic) {
  public EventQuery {
    if (scope == null && topic != null) {
      throw new IllegalArgumentException("a topic needs a scope");
    }
  }

  public static EventQuery all() {
    return new EventQuery(null, null);
  }

  public static EventQuery of(EventScope scope) {
    return new EventQuery(scope, null);
  }

  public static EventQuery of(EventScope scope, String topic) {
    return new EventQuery(scope, topic);
  }

  /** 0 for all, else 1 namespace, 2 component, 3 endpoint. */
  public int scopeLevel() {
    return switch (scope) {
      case null -> 0;
      case EventScope.Namespace n -> 1;
      case EventScope.Component c -> 2;
      case EventScope.Endpoint e -> 3;
    };
  }

  /**
   * The key prefix inside the bucket. It ends in {@code /topic} when a scope is given, so that
   * with the path-boundary rule a namespace query cannot match a component's channels.
   */
  String prefix() {
    if (scope == null) {
      return "";
    }
    String p = scope.pathPrefix() + "/topic";
    return topic == null ? p : p + "/" + SubjectEncoding.encodeSegment(topic);
  }
}
