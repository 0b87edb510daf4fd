package dev.dynamo4j.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fan-out other modules' stores use: snapshot first, then changes, and a forced resync. */
class WatchHubsTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void resyncAllReplacesBufferedEventsWithTheCurrentContents() throws Exception {
    Object lock = new Object();
    Map<String, byte[]> data = new LinkedHashMap<>();
    WatchHubs.Hub hub = WatchHubs.hub(lock, () -> new LinkedHashMap<>(data));
    KvWatch w = hub.open();
    assertThat(w.poll(Duration.ofSeconds(1))).isEqualTo(new WatchEvent.Resync(Map.of()));
    synchronized (lock) {
      data.put("a", b("1"));
      hub.publishPut("a", b("1"));
      // the backend lost track (etcd: compaction): it re-read everything and tells the watchers
      data.clear();
      data.put("b", b("2"));
      hub.resyncAll();
    }
    WatchEvent e = w.poll(Duration.ofSeconds(1));
    assertThat(e).isInstanceOfSatisfying(WatchEvent.Resync.class, r -> assertThat(r.entries().keySet()).containsExactly("b"));
    synchronized (lock) {
      data.put("c", b("3"));
      hub.publishPut("c", b("3"));
    }
    assertThat(w.poll(Duration.ofSeconds(1))).isEqualTo(new WatchEvent.Put("c", b("3")));
    assertThat(w.poll(Duration.ofMillis(50))).isNull();
    hub.closeAll();
    assertThat(w.poll(Duration.ofMillis(50))).isNull();
  }
}
