package dev.dynamo4j.cli;

import dev.dynamo4j.nats.NatsObjectStore;
import io.nats.client.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j object put|get|rm}: Dynamo's NATS object store from the shell. */
@Command(
    name = "object",
    mixinStandardHelpOptions = true,
    description = {
      "Upload, download or delete objects in a NATS object store.",
      "",
      "Objects are addressed as nats://host[:port]/BUCKET/KEY, as in Dynamo. The URL's host is ignored, as Dynamo ignores it: "
          + "the server is NATS_SERVER (default nats://localhost:4222) or --nats-server, with credentials from NATS_AUTH_*. "
          + "Files are streamed in 128 KiB chunks, so their size is not limited by memory."
    },
    subcommands = {ObjectCommand.Put.class, ObjectCommand.Get.class, ObjectCommand.Rm.class},
    footer = {
      "",
      "Example:",
      "  dynamo4j object put model.bin nats://localhost/models/model.bin",
      "  dynamo4j object get nats://localhost/models/model.bin copy.bin",
      "  dynamo4j object rm nats://localhost/models/model.bin",
      "  dynamo4j object rm --bucket models"
    })
final class ObjectCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = {"Upload FILE as the object URL, creating the bucket when it does not exist and replacing an object of that key.", "Progress goes to stderr once a second."})
  static final class Put implements Callable<Integer> {
    @Mixin NatsOptions nats;

    @Parameters(index = "0", paramLabel = "FILE") Path file;

    @Parameters(index = "1", paramLabel = "URL", description = "nats://host/BUCKET/KEY") String url;

    @Override
    public Integer call() throws InterruptedException {
      if (!Files.isRegularFile(file)) {
        System.err.println("dynamo4j object put: no such file: " + file);
        return 2;
      }
      NatsObjectStore.ObjectUrl.parse(url); // a bad URL fails before connecting
      long size = size(file);
      Progress p = new Progress("put " + file.getFileName(), size);
      try (Connection nc = nats.connect()) {
        NatsObjectStore.Stored s = new NatsObjectStore(nc).upload(file, url, p);
        System.out.printf("stored %s: %d bytes in %d chunks (%s) in %s%n", NatsObjectStore.ObjectUrl.parse(url), s.size(), s.chunks(), s.digest(), p.summary(s.size()));
      }
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = {"Download the object URL into FILE ('-' for standard output).", "FILE appears only once the whole object has arrived and its SHA-256 digest matched."})
  static final class Get implements Callable<Integer> {
    @Mixin NatsOptions nats;

    @Parameters(index = "0", paramLabel = "URL", description = "nats://host/BUCKET/KEY") String url;

    @Parameters(index = "1", paramLabel = "FILE") String file;

    @Override
    public Integer call() throws IOException, InterruptedException {
      NatsObjectStore.ObjectUrl u = NatsObjectStore.ObjectUrl.parse(url);
      try (Connection nc = nats.connect()) {
        NatsObjectStore store = new NatsObjectStore(nc);
        if (file.equals("-")) {
          OutputStream out = System.out;
          store.download(u, out);
          out.flush();
          return 0;
        }
        Path target = Path.of(file);
        if (Files.isDirectory(target)) {
          target = target.resolve(u.key());
        }
        Progress p = new Progress("get " + u.key(), -1);
        NatsObjectStore.Stored s = store.download(url, target, p);
        System.out.printf("wrote %s: %d bytes (%s) in %s%n", target, s.size(), s.digest(), p.summary(s.size()));
      }
      return 0;
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = {"Delete the object URL, or with --bucket a whole bucket and every object in it.", "Exit code 1 when there was nothing to delete, 0 with --force."})
  static final class Rm implements Callable<Integer> {
    @Mixin NatsOptions nats;

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
      @Parameters(paramLabel = "URL", description = "nats://host/BUCKET/KEY") String url;

      @Option(names = "--bucket", paramLabel = "BUCKET", description = "Delete this bucket with all its objects.") String bucket;
    }

    @Option(names = {"-f", "--force"}, description = "Exit 0 even when there was nothing to delete.")
    boolean force;

    @Override
    public Integer call() throws InterruptedException {
      if (target.url != null) {
        NatsObjectStore.ObjectUrl.parse(target.url);
      }
      try (Connection nc = nats.connect()) {
        NatsObjectStore store = new NatsObjectStore(nc);
        boolean deleted = target.url != null ? store.delete(target.url) : store.deleteBucket(target.bucket);
        String what = target.url != null ? "object " + NatsObjectStore.ObjectUrl.parse(target.url) : "bucket " + target.bucket;
        if (deleted) {
          System.out.println("deleted " + what);
          return 0;
        }
        System.err.println("dynamo4j object rm: no " + what);
        return force ? 0 : 1;
      }
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Prints "<what>: 120.0 of 300.0 MiB (40%), 85.1 MiB/s" to stderr at most once a second. */
  static final class Progress implements LongConsumer {
    private final String what;
    private final long total;
    private final long start = System.nanoTime();
    private long lastPrint = start;
    private final PrintStream err = System.err;

    Progress(String what, long total) {
      this.what = what;
      this.total = total;
    }

    @Override
    public void accept(long done) {
      long now = System.nanoTime();
      if (now - lastPrint < 1_000_000_000L) {
        return;
      }
      lastPrint = now;
      String of = total > 0 ? String.format(" of %.1f MiB (%d%%)", mib(total), done * 100 / total) : "";
      err.printf("%s: %.1f MiB%s, %.1f MiB/s%n", what, mib(done), of, mib(done) / ((now - start) / 1e9));
    }

    String summary(long bytes) {
      double s = (System.nanoTime() - start) / 1e9;
      return String.format("%.2f s, %.1f MiB/s", s, mib(bytes) / Math.max(s, 1e-9));
    }

    private static double mib(long b) {
      return b / (1024.0 * 1024.0);
    }
  }
}
