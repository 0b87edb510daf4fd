package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.cli.CliTest.Result;
import dev.dynamo4j.testkit.NatsServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamo4j object} against a real nats-server with JetStream. */
@Timeout(60)
class ObjectCliTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();

  @Test
  void anObjectPutGetsBackByteForByteAndIsGoneAfterRm(@TempDir Path dir) throws Exception {
    byte[] data = new byte[1_000_000];
    new Random(3).nextBytes(data);
    Path src = Files.write(dir.resolve("weights.bin"), data);
    String url = "nats://ignored-host/cli-models/weights.bin";
    String s = server.url();

    Result put = CliTest.run("object", "put", src.toString(), url, "--nats-server", s);
    assertThat(put.code()).isZero();
    assertThat(put.out()).startsWith("stored cli-models/weights.bin: 1000000 bytes in 8 chunks (SHA-256=");

    Result get = CliTest.run("object", "get", url, dir.toString(), "--nats-server", s);
    assertThat(get.code()).isZero();
    assertThat(get.out()).contains("1000000 bytes");
    // a directory target keeps the key as the file name; here that is the source file itself, rewritten
    assertThat(Files.readAllBytes(src)).isEqualTo(data);
    Path copy = dir.resolve("copy.bin");
    assertThat(CliTest.run("object", "get", url, copy.toString(), "--nats-server", s).code()).isZero();
    assertThat(Files.readAllBytes(copy)).isEqualTo(data);

    assertThat(CliTest.run("object", "rm", url, "--nats-server", s).out()).isEqualTo("deleted object cli-models/weights.bin\n");
    assertThat(CliTest.run("object", "rm", url, "--nats-server", s).code()).isEqualTo(1);
    assertThat(CliTest.run("object", "rm", url, "-f", "--nats-server", s).code()).isZero();
    assertThat(CliTest.run("object", "get", url, dir.resolve("gone.bin").toString(), "--nats-server", s).code()).as("missing object").isEqualTo(1);
    assertThat(Files.exists(dir.resolve("gone.bin"))).isFalse();
    assertThat(CliTest.run("object", "rm", "--bucket", "cli-models", "--nats-server", s).code()).isZero();
    assertThat(CliTest.run("object", "rm", "--bucket", "cli-models", "--nats-server", s).code()).as("already gone").isEqualTo(1);
  }

  @Test
  void badInputIsAUsageError(@TempDir Path dir) throws Exception {
    Path src = Files.writeString(dir.resolve("a.txt"), "a");
    assertThat(CliTest.run("object", "put", src.toString(), "nats://h/only-bucket", "--nats-server", server.url()).code()).isEqualTo(2);
    assertThat(CliTest.run("object", "put", dir.resolve("missing").toString(), "nats://h/b/k", "--nats-server", server.url()).code()).isEqualTo(2);
    assertThat(CliTest.run("object", "rm", "--nats-server", server.url()).code()).as("neither URL nor --bucket").isEqualTo(2);
  }
}
