package dev.dynamo4j.zmq;

import dev.dynamo4j.internal.discovery.KvStoreDiscovery;
import dev.dynamo4j.internal.kv.MemoryKeyValueStore;
import dev.dynamo4j.spi.events.EventTransport;
import dev.dynamo4j.testkit.EventTransportConformance;

/** ZMQ direct mode passes the shared event-transport suite; each transport is a "process" with its own discovery client. */
class ZmqEventTransportTest extends EventTransportConformance {
  final MemoryKeyValueStore.Data data = new MemoryKeyValueStore.Data(MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);

  @Override
  protected EventTransport newTransport() {
    return new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 100_000);
  }

  /** Publishers wait for a full subscriber ({@code DYN_ZMQ_SEND_TIMEOUT_MS=-1}) instead of dropping. */
  @Override
  protected EventTransport newLosslessTransport() {
    return new ZmqEventTransport(new KvStoreDiscovery(new MemoryKeyValueStore(data)), null, 100_000, null, false,
        ZmqEventOptions.DEFAULTS.withSendTimeout(ZmqEventOptions.FOREVER));
  }
}
