package dev.dynamo4j.spi.kv;

/**
 * Told when a store's {@link KeyValueStore#connectionId()} (the runtime's instance id) changes or
 * ends. Only stores whose identity can be lost report anything (etcd: the primary lease). Called on
 * the store's own thread: return quickly and do the work elsewhere.
 */
public interface ConnectionListener {
  /**
   * The id was replaced (etcd: the lease was lost and a new one granted); the store has already
   * written its records again under {@code newId}, with their old contents.
   */
  default void connectionIdChanged(long oldId, long newId) {}

  /** The id is gone and will not be replaced: nothing is kept alive and writes fail from now on. */
  default void connectionLost(long id) {}
}
