package dev.dynamo4j.cli;

import dev.dynamo4j.nats.NatsConnections;
import dev.dynamo4j.nats.NatsQueue;
import dev.dynamo4j.wire.Slug;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.StreamInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j queue publish|consume|status}: JetStream work queues from the shell. */
@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    description = {
      "Publish to, consume from, or inspect a JetStream work queue.",
      "",
      "Dynamo's NatsQueue: stream slugify(NAME), messages on <stream>.queue, durable consumer 'worker-group' shared by "
          + "competing workers unless --consumer names another. Needs a NATS server with JetStream: NATS_SERVER "
          + "(default nats://localhost:4222) and the NATS_AUTH_* variables, or --nats-server."
    },
    subcommands = {QueueCommand.Publish.class, QueueCommand.Consume.class, QueueCommand.Status.class},
    footer = {
      "",
      "Example:",
      "  dynamo4j queue publish jobs '{\"id\":1}' '{\"id\":2}'",
      "  dynamo4j queue consume jobs --count 2",
      "  dynamo4j queue status jobs"
    })
final class QueueCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "publish", mixinStandardHelpOptions = true, description = {"Enqueue each MESSAGE as given (bytes of the text), or each line of standard input when none is given.", "Prints the stream sequence of each."})
  static final class Publish implements Callable<Integer> {
    @picocli.CommandLine.Mixin NatsOptions nats;

    @Parameters(index = "0", paramLabel = "NAME", description = "Queue name; the stream is slugify(NAME).") String name;

    @Parameters(index = "1..*", paramLabel = "MESSAGE", description = "Messages; none = read lines from stdin.") List<String> messages;

    @Override
    public Integer call() throws IOException, InterruptedException {
      try (Connection nc = nats.connect(); NatsQueue q = NatsQueue.open(nc, name, null, System.getenv())) {
        if (messages != null && !messages.isEmpty()) {
          for (String m : messages) {
            System.out.printf("enqueued #%d%n", q.enqueue(m.getBytes(StandardCharsets.UTF_8)));
          }
        } else {
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          long n = 0;
          for (String line; (line = in.readLine()) != null; ) {
            long seq = q.enqueue(line.getBytes(StandardCharsets.UTF_8));
            if (++n % 1000 == 0) {
              System.err.printf("enqueued %d (last #%d)%n", n, seq);
            }
          }
          System.out.printf("enqueued %d messages from stdin%n", n);
        }
      }
      return 0;
    }
  }

  @Command(name = "consume", mixinStandardHelpOptions = true, description = {"Dequeue messages and print one per line, until --count messages or --timeout passes with none.", "Each message is acknowledged after it is printed (at-least-once); --ack-first acknowledges before, as Dynamo does."})
  static final class Consume implements Callable<Integer> {
    @picocli.CommandLine.Mixin NatsOptions nats;

    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Option(names = "--consumer", description = "Durable consumer; workers sharing one compete, a name of your own gets every message (default: ${DEFAULT-VALUE}).", defaultValue = NatsQueue.WORKER_GROUP)
    String consumer;

    @Option(names = "--count", description = "Exit after N messages (default: until --timeout passes with none).")
    long count = -1;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Exit when no message came for this long; at least 1, a limit of the NATS client (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    double timeoutSeconds;

    static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--ack-first", description = "Acknowledge before printing (Dynamo's mode: a crash loses the message).")
    boolean ackFirst;

    @Override
    public Integer call() throws InterruptedException {
      if (!(timeoutSeconds >= 1)) {
        System.err.println("dynamo4j queue consume: --timeout must be at least 1 second, got " + timeoutSeconds);
        return 2;
      }
      Duration timeout = Duration.ofMillis((long) (timeoutSeconds * 1000));
      PrintStream out = System.out;
      long n = 0;
      try (Connection nc = nats.connect()) {
        NatsQueue q = NatsQueue.open(nc, name, consumer, System.getenv());
        while (count < 0 || n < count) {
          var d = q.dequeueExplicit(timeout);
          if (d.isEmpty()) {
            break;
          }
          // acks are confirmed by the server, so "consumed N" means N are gone from the queue
          if (ackFirst) {
            d.get().ackSync(ACK_TIMEOUT);
          }
          out.println(new String(d.get().data(), StandardCharsets.UTF_8));
          out.flush();
          if (!ackFirst) {
            d.get().ackSync(ACK_TIMEOUT);
          }
          n++;
        }
        // the durable consumer stays: other workers of the group and later runs keep using it
      }
      System.err.printf("consumed %d messages from %s (consumer %s)%n", n, Slug.slugify(name), consumer);
      return count >= 0 && n < count ? 1 : 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Print the stream's message count and, per consumer, pending and unacknowledged counts.")
  static final class Status implements Callable<Integer> {
    @picocli.CommandLine.Mixin NatsOptions nats;

    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    public Integer call() throws Exception {
      String stream = Slug.slugify(name);
      try (Connection nc = nats.connect()) {
        NatsConnections.requireJetStream(nc);
        var jsm = nc.jetStreamManagement();
        StreamInfo info;
        try {
          info = jsm.getStreamInfo(stream);
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() == 10059) { // stream not found
            System.err.printf("dynamo4j queue status: no queue '%s' (stream %s) on this server%n", name, stream);
            return 1;
          }
          throw e;
        }
        var state = info.getStreamState();
        System.out.printf("stream %s: %d messages (#%d..#%d), %d bytes%n", stream, state.getMsgCount(), state.getFirstSequence(), state.getLastSequence(), state.getByteCount());
        for (String c : jsm.getConsumerNames(stream)) {
          var ci = jsm.getConsumerInfo(stream, c);
          System.out.printf("  consumer %s: %d pending, %d unacknowledged, acked up to #%d%n", c, ci.getNumPending(), ci.getNumAckPending(), ci.getAckFloor().getStreamSequence());
        }
      }
      return 0;
    }
  }
}
