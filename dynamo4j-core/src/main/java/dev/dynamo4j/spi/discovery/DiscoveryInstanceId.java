package dev.dynamo4j.spi.discovery;

import dev.dynamo4j.discovery.EventScope;
import dev.dynamo4j.wire.SubjectEncoding;
import dev.dynamo4j.wire.WireFormatException;

/**
 * The identity of a registered record. {@link #toPath()} is its key inside its bucket: endpoint
 * and model segments are written as they are (so names must not contain {@code /}); event paths
 * %XX-encode every segment.
 */
public sealed interface DiscoveryInstanceId {
  String toPath();

  /** The owning instance id (the publisher id for event records). */
  long instanceId();

  /** {@code ns/comp/ep/<id hex>} */
  record Endpoint(String namespace, String component, String endpoint, long instanceId) implements DiscoveryInstanceId {
    public String toPath() {
      return namespace + "/" + component + "/" + endpoint + "/" + Long.toHexString(instanceId);
    }
  }

  /** {@code ns/comp/ep/<id hex>[/<suffix>]}; an empty suffix is no suffix. */
  record Model(String namespace, String component, String endpoint, long instanceId, String modelSuffix) implements DiscoveryInstanceId {
    public Model {
      modelSuffix = modelSuffix == null || modelSuffix.isEmpty() ? null : modelSuffix;
    }

    public String toPath() {
      return namespace + "/" + component + "/" + endpoint + "/" + Long.toHexString(instanceId) + (modelSuffix == null ? "" : "/" + modelSuffix);
    }
  }

  /** {@code <scope path>/topic/<enc topic>/<id hex>} */
  record EventChannel(EventScope scope, String topic, long instanceId) implements DiscoveryInstanceId {
    public String toPath() {
      return scope.pathPrefix() + "/topic/" + SubjectEncoding.encodeSegment(topic) + "/" + Long.toHexString(instanceId);
    }
  }

  /** Same shape as an event channel, keyed by publisher id. */
  record EventSource(EventScope scope, String topic, long publisherId) implements DiscoveryInstanceId {
    public long instanceId() {
      return publisherId;
    }

    public String toPath() {
      return scope.pathPrefix() + "/topic/" + SubjectEncoding.encodeSegment(topic) + "/" + Long.toHexString(publisherId);
    }
  }

  static long parseHex(String format, String s) {
    try {
      return Long.parseUnsignedLong(s, 16);
    } catch (NumberFormatException e) {
      throw new WireFormatException(format, "'" + s + "' is not a hex instance id");
    }
  }

  static Endpoint parseEndpoint(String path) {
    String[] p = path.split("/", -1);
    if (p.length != 4) {
      throw new WireFormatException("EndpointInstanceId", "expected ns/comp/ep/<id hex>, got '" + path + "'");
    }
    return new Endpoint(p[0], p[1], p[2], parseHex("EndpointInstanceId", p[3]));
  }

  static Model parseModel(String path) {
    String[] p = path.split("/", -1);
    if (p.length != 4 && p.length != 5) {
      throw new WireFormatException("ModelInstanceId", "expected ns/comp/ep/<id hex>[/<suffix>], got '" + path + "'");
    }
    return new Model(p[0], p[1], p[2], parseHex("ModelInstanceId", p[3]), p.length == 5 ? p[4] : null);
  }

  /** Parses an event path; {@code source} picks the record kind. */
  static DiscoveryInstanceId parseEvent(String path, boolean source) {
    String f = source ? "EventSourceInstanceId" : "EventChannelInstanceId";
    String[] p = path.split("/", -1);
    int[] next = new int[1];
    EventScope scope = EventScope.parsePath(p, next);
    int i = next[0];
    if (p.length != i + 3 || !p[i].equals("topic")) {
      throw new WireFormatException(f, "expected <scope>/topic/<topic>/<id hex>, got '" + path + "'");
    }
    String topic = SubjectEncoding.decodeSegment(p[i + 1]);
    long id = parseHex(f, p[i + 2]);
    return source ? new EventSource(scope, topic, id) : new EventChannel(scope, topic, id);
  }
}
