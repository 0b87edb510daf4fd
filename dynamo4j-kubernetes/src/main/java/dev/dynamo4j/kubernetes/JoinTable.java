package dev.dynamo4j.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoveryInstanceId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamo's join of readiness and resources ({@code kube/daemon.rs}): a worker's records are known
 * while its name is ready (an EndpointSlice endpoint, or a Pod's container, says so) and its
 * {@code DynamoWorkerMetadata} of the same name parsed. A resource is looked at again only when
 * its {@code (uid, revision)} changed (the revision is its generation, or its resourceVersion where
 * the server keeps no generation); one whose {@code spec.data} no longer parses keeps its
 * last good records while its uid is the same, and is dropped when it is a new resource. A name
 * that stops being ready is dropped at once. Not thread-safe: the discovery client holds its lock.
 */
final class JoinTable {
  private static final Logger log = LoggerFactory.getLogger(JoinTable.class);

  /** One resource as last read: its identity, and the records of its last good {@code spec.data}. */
  record Resource(String uid, String revision, DiscoveryMetadata metadata) {}

  private final Map<String, Set<String>> readyBySource = new HashMap<>();
  private final Set<String> ready = new HashSet<>();
  private final Map<String, Resource> resources = new HashMap<>();

  /**
   * The names {@code source} (one EndpointSlice, or one Pod) reports ready now, replacing what it
   * reported before; an empty set or {@code null} forgets the source. Returns whether the ready
   * set changed.
   */
  boolean setReady(String source, Set<String> names) {
    if (names == null || names.isEmpty()) {
      if (readyBySource.remove(source) == null) {
        return false;
      }
    } else {
      Set<String> old = readyBySource.put(source, Set.copyOf(names));
      if (names.equals(old)) {
        return false;
      }
    }
    Set<String> now = new HashSet<>();
    readyBySource.values().forEach(now::addAll);
    if (now.equals(ready)) {
      return false;
    }
    ready.clear();
    ready.addAll(now);
    return true;
  }

  /** Whether {@code name} is ready now. */
  boolean isReady(String name) {
    return ready.contains(name);
  }

  /**
   * A resource was added or changed. Returns whether the records it contributes changed.
   *
   * @param data its {@code spec.data}, possibly null or malformed
   */
  boolean putResource(String name, String uid, String revision, JsonNode data) {
    Resource old = resources.get(name);
    if (old != null && old.uid().equals(uid) && old.revision().equals(revision)) {
      return false; // same revision: nothing to read again
    }
    DiscoveryMetadata md;
    try {
      md = DiscoveryMetadata.fromJson(data);
    } catch (DynamoException e) { // WireFormatException included
      if (old != null && old.uid().equals(uid)) {
        log.warn("DynamoWorkerMetadata {} (revision {}) does not parse ({}); keeping its last good records", name, revision, e.getMessage());
        resources.put(name, new Resource(uid, revision, old.metadata()));
        return false;
      }
      log.warn("DynamoWorkerMetadata {} does not parse ({}); ignoring it until it does", name, e.getMessage());
      return resources.remove(name) != null;
    }
    resources.put(name, new Resource(uid, revision, md));
    return true;
  }

  /** A resource was deleted. Returns whether it was known. */
  boolean removeResource(String name) {
    return resources.remove(name) != null;
  }

  /** Every record of every ready worker with a parsed resource, by id. */
  Map<DiscoveryInstanceId, DiscoveryInstance> instances() {
    Map<DiscoveryInstanceId, DiscoveryInstance> out = new LinkedHashMap<>();
    for (Map.Entry<String, Resource> e : resources.entrySet()) {
      if (ready.contains(e.getKey())) {
        for (DiscoveryInstance i : e.getValue().metadata().all()) {
          out.put(i.id(), i);
        }
      }
    }
    return out;
  }
}
