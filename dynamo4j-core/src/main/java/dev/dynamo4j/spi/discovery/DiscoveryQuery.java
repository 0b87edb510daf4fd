package dev.dynamo4j.spi.discovery;


/**
 * What to list or watch. Each query names one bucket and a key prefix inside it; a key matches
 * when the prefix is empty, equals the key, or is followed by {@code /} in it (so {@code
 * ns/component} does not match {@code ns/component2/...}).
 */
public sealed interface DiscoveryQuery {
  String INSTANCES = "v1/instances";
  String MODELS = "v1/mdc";
  String EVENT_CHANNELS = "v1/event_channels";
  String EVENT_SOURCES = "v1/event_sources";

  /** The bucket this query reads. */
  String bucket();

  /** The key prefix inside the bucket. */
  String prefix();

  /** True when a bucket-relative key falls under this query. */
  default boolean matchesKey(String key) {
    return matchesPrefix(key, prefix());
  }

  /** True when record {@code i} falls under this query (its bucket, then its key). */
  default boolean matches(DiscoveryInstance i) {
    return bucket().equals(bucketOf(i)) && matchesKey(i.id().toPath());
  }

  static boolean matchesPrefix(String key, String prefix) {
    return prefix.isEmpty() || key.equals(prefix) || (key.startsWith(prefix) && key.charAt(prefix.length()) == '/');
  }

  record AllEndpoints() implements DiscoveryQuery {
    public String bucket() {
      return INSTANCES;
    }

    public String prefix() {
      return "";
    }
  }

  record NamespacedEndpoints(String namespace) implements DiscoveryQuery {
    public String bucket() {
      return INSTANCES;
    }

    public String prefix() {
      return namespace;
    }
  }

  record ComponentEndpoints(String namespace, String component) implements DiscoveryQuery {
    public String bucket() {
      return INSTANCES;
    }

    public String prefix() {
      return namespace + "/" + component;
    }
  }

  record Endpoint(String namespace, String component, String endpoint) implements DiscoveryQuery {
    public String bucket() {
      return INSTANCES;
    }

    public String prefix() {
      return namespace + "/" + component + "/" + endpoint;
    }
  }

  record AllModels() implements DiscoveryQuery {
    public String bucket() {
      return MODELS;
    }

    public String prefix() {
      return "";
    }
  }

  record NamespacedModels(String namespace) implements DiscoveryQuery {
    public String bucket() {
      return MODELS;
    }

    public String prefix() {
      return namespace;
    }
  }

  record ComponentModels(String namespace, String component) implements DiscoveryQuery {
    public String bucket() {
      return MODELS;
    }

    public String prefix() {
      return namespace + "/" + component;
    }
  }

  record EndpointModels(String namespace, String component, String endpoint) implements DiscoveryQuery {
    public String bucket() {
      return MODELS;
    }

    public String prefix() {
      return namespace + "/" + component + "/" + endpoint;
    }
  }

  record EventChannels(EventQuery query) implements DiscoveryQuery {
    public String bucket() {
      return EVENT_CHANNELS;
    }

    public String prefix() {
      return query.prefix();
    }
  }

  record EventSources(EventQuery query) implements DiscoveryQuery {
    public String bucket() {
      return EVENT_SOURCES;
    }

    public String prefix() {
      return query.prefix();
    }
  }

  /** The endpoint query for a path {@code ns[/comp[/ep]]} (empty = all). */
  static DiscoveryQuery endpointsUnder(String path) {
    String[] p = path == null || path.isBlank() ? new String[0] : path.split("/");
    return switch (p.length) {
      case 0 -> new AllEndpoints();
      case 1 -> new NamespacedEndpoints(p[0]);
      case 2 -> new ComponentEndpoints(p[0], p[1]);
      case 3 -> new Endpoint(p[0], p[1], p[2]);
      default -> throw new IllegalArgumentException("expected ns[/comp[/ep]], got '" + path + "'");
    };
  }

  /** The bucket (the key-value store's, and Dynamo's key prefix) an instance is kept in. */
  static String bucketOf(DiscoveryInstance i) {
    return switch (i) {
      case DiscoveryInstance.Endpoint e -> INSTANCES;
      case DiscoveryInstance.Model m -> MODELS;
      case DiscoveryInstance.EventChannel c -> EVENT_CHANNELS;
      case DiscoveryInstance.EventSource s -> EVENT_SOURCES;
    };
  }
}
