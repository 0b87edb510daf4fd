package dev.dynamo4j.testkit;

import dev.dynamo4j.config.RuntimeConfig;
import dev.dynamo4j.discovery.TransportType;
import dev.dynamo4j.internal.discovery.Discoveries;
import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.spi.discovery.DiscoveryInstance;
import dev.dynamo4j.spi.discovery.DiscoverySpec;
import dev.dynamo4j.wire.PayloadCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process for the multi-process discovery tests. {@code <store>} is {@code file:<root>},
 * {@code nats:<url>} or {@code etcd:<endpoint>} (the backend's module must be on the class path);
 * a bare path means {@code file:}.
 *
 * <ul>
 *   <li>{@code register <store> <ns> <comp> <ep>}: registers one endpoint, prints {@code READY
 *       <id hex>}, then on the stdin line {@code exit} shuts down cleanly and prints {@code BYE}.
 *   <li>{@code churn <store> <ns> <count>}: registers endpoints {@code ep0..ep<count-1>}, removes
 *       the odd ones as it goes, prints {@code DONE <id hex>}, then waits for {@code exit}.
 * </ul>
 */
public final class DiscoveryChild {
  private DiscoveryChild() {}

  /** The discovery client a {@code <store>} argument names. */
  static Discovery open(String store) {
    int colon = store.indexOf(':');
    String backend = colon > 0 ? store.substring(0, colon) : "file";
    String target = colon > 0 ? store.substring(colon + 1) : store;
    RuntimeConfig.Builder b = RuntimeConfig.builder().discoveryBackend(backend);
    switch (backend) {
      case "file" -> b.fileKvRoot(Path.of(target));
      case "nats" -> b.variable("NATS_SERVER", target);
      case "etcd" -> b.variable("ETCD_ENDPOINTS", target);
      default -> throw new IllegalArgumentException("unknown store " + store + " (file:<root>, nats:<url>, etcd:<endpoint>)");
    }
    return Discoveries.create(b.build());
  }

  public static void main(String[] args) throws Exception {
    Discovery d = open(args[1]);
    String id = Long.toHexString(d.instanceId());
    switch (args[0]) {
      case "register" -> {
        d.register(spec(args[2], args[3], args[4]));
        System.out.println("READY " + id);
      }
      case "churn" -> {
        int count = Integer.parseInt(args[3]);
        List<DiscoveryInstance> odd = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          DiscoveryInstance inst = d.register(spec(args[2], "c", "ep" + i));
          if (i % 2 == 1) {
            odd.add(inst);
          }
          if (odd.size() == 16) { // remove in small batches, interleaved with registrations
            odd.forEach(d::unregister);
            odd.clear();
          }
        }
        odd.forEach(d::unregister);
        System.out.println("DONE " + id);
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("exit")) {
        d.shutdown();
        System.out.println("BYE");
        System.out.flush();
        System.exit(0);
      }
    }
  }

  static DiscoverySpec spec(String ns, String comp, String ep) {
    return new DiscoverySpec.Endpoint(ns, comp, ep, new TransportType.Tcp("127.0.0.1:9/" + ep), null, PayloadCodec.MSGPACK);
  }
}
