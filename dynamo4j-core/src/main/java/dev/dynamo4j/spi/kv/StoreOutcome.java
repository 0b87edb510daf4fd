package dev.dynamo4j.spi.kv;

/** What an insert did: {@link Created} (also used for updates) or {@link Exists} (nothing written). */
public sealed interface StoreOutcome {
  long revision();

  record Created(long revision) implements StoreOutcome {}

  record Exists(long revision) implements StoreOutcome {}
}
