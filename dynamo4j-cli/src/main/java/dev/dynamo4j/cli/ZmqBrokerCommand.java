package dev.dynamo4j.cli;

import dev.dynamo4j.spi.discovery.Discovery;
import dev.dynamo4j.zmq.ZmqBroker;
import dev.dynamo4j.zmq.ZmqEventOptions;
import dev.dynamo4j.zmq.ZmqSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dynamo4j zmq-broker}: an XSUB/XPUB event broker that registers itself in discovery. */
@Command(
    name = "zmq-broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a ZMQ event broker until Ctrl-C.",
      "",
      "Publishers connect to its XSUB, subscribers to its XPUB. It registers itself in discovery, so clients with "
          + "DYN_ZMQ_BROKER_ENABLED=true in its namespace find it; clients can also name it with "
          + "DYN_ZMQ_BROKER_URL=xsub=<url>,xpub=<url>."
    })
final class ZmqBrokerCommand implements Callable<Integer> {
  @Mixin DiscoveryOptions discovery;

  @Option(names = "--xsub", description = "Where publishers connect; env ZMQ_BROKER_XSUB_BIND (default: ${DEFAULT-VALUE}).",
      defaultValue = "${env:ZMQ_BROKER_XSUB_BIND:-tcp://127.0.0.1:5555}")
  String xsub;

  @Option(names = "--xpub", description = "Where subscribers connect; env ZMQ_BROKER_XPUB_BIND (default: ${DEFAULT-VALUE}).",
      defaultValue = "${env:ZMQ_BROKER_XPUB_BIND:-tcp://127.0.0.1:5556}")
  String xpub;

  @Option(names = "--namespace", description = "Namespace to register in; env ZMQ_BROKER_NAMESPACE (default: ${DEFAULT-VALUE}).",
      defaultValue = "${env:ZMQ_BROKER_NAMESPACE:-dynamo}")
  String namespace;

  @Override
  public Integer call() throws Exception {
    Discovery d = discovery.connect();
    // DYN_ZMQ_SEND_TIMEOUT_MS=-1 (lossless publishers) makes the broker wait for slow subscribers too.
    boolean lossless = ZmqEventOptions.FOREVER.equals(ZmqSettings.events(discovery.config()).sendTimeout());
    // DYN_ZMQ_MAX_MESSAGE_BYTES bounds what a publisher may send it; DYN_ZMQ_CURVE_* encrypts both sides
    ZmqBroker broker = new ZmqBroker(xsub, xpub, namespace, d, lossless, ZmqSettings.events(discovery.config()));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      d.shutdown();
      stop.countDown();
    }));
    System.out.printf("zmq broker for namespace %s: publishers -> %s, subscribers -> %s (registered in %s%s); Ctrl-C to stop%n",
        namespace, broker.xsubEndpoint(), broker.xpubEndpoint(), discovery.describe(discovery.config()),
        ZmqSettings.events(discovery.config()).curve() == null ? "" : "; CURVE");
    System.out.flush();
    stop.await();
    return 0;
  }
}
