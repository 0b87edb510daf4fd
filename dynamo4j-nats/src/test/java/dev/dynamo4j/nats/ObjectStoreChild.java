package dev.dynamo4j.nats;

import io.nats.client.Connection;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Runs in a child JVM with a small heap: {@code <server> upload <file> <url>} or {@code <server>
 * download <url> <file>}; prints {@code done <size> <chunks>} and the peak heap in use.
 */
public final class ObjectStoreChild {
  public static void main(String[] args) throws Exception {
    try (Connection nc = NatsConnections.connect(NatsConfig.builder(Map.of()).servers(args[0]).build())) {
      NatsObjectStore store = new NatsObjectStore(nc);
      long[] peak = {0};
      Runtime rt = Runtime.getRuntime();
      LongConsumer watch = n -> peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory());
      NatsObjectStore.Stored s = switch (args[1]) {
        case "upload" -> store.upload(Path.of(args[2]), args[3], watch);
        case "download" -> store.download(args[2], Path.of(args[3]), watch);
        default -> throw new IllegalArgumentException(args[1]);
      };
      System.out.println("done " + s.size() + " " + s.chunks() + " peak-heap-MiB " + peak[0] / (1024 * 1024) + " max-heap-MiB " + rt.maxMemory() / (1024 * 1024));
    }
  }
}
