package dev.dynamo4j.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.testkit.ChildJvm;
import dev.dynamo4j.testkit.NatsServerExtension;
import dev.dynamo4j.wire.Bincode;
import io.nats.client.Connection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The NATS object store against a real nats-server with JetStream (spec dynamo-transports §3.3, §3.6). */
@Timeout(180)
class NatsObjectStoreTest {
  @RegisterExtension static final NatsServerExtension server = new NatsServerExtension();
  static Connection nc;
  static NatsObjectStore store;

  /** The §3.6 record; Rust types chosen as u32, String, Vec<f64> (the spec does not give them). */
  record TestData(int id, String name, List<Double> values) {}

  @BeforeAll
  static void start() throws Exception {
    nc = NatsConnections.connect(NatsConfig.builder(Map.of()).servers(server.url()).build());
    store = new NatsObjectStore(nc);
  }

  @AfterAll
  static void stop() throws Exception {
    nc.close();
  }

  @Test
  void urlsNameBucketAndKey() {
    assertThat(NatsObjectStore.ObjectUrl.parse("nats://localhost/test-bucket/test-data.bin"))
        .isEqualTo(new NatsObjectStore.ObjectUrl("test-bucket", "test-data.bin"));
    assertThat(NatsObjectStore.ObjectUrl.parse("nats://h:4222/b/a%20b")).isEqualTo(new NatsObjectStore.ObjectUrl("b", "a%20b"));
    assertThatThrownBy(() -> NatsObjectStore.ObjectUrl.parse("nats://localhost")).hasMessageContaining("No bucket in NATS URL");
    assertThatThrownBy(() -> NatsObjectStore.ObjectUrl.parse("nats://localhost/bucket")).hasMessageContaining("No key in NATS URL");
    assertThatThrownBy(() -> NatsObjectStore.ObjectUrl.parse("nats://localhost/bucket/")).hasMessageContaining("No key in NATS URL");
    assertThatThrownBy(() -> NatsObjectStore.ObjectUrl.parse("nats://localhost/b/dir/file")).hasMessageContaining("segments after the key");
    assertThatThrownBy(() -> NatsObjectStore.ObjectUrl.parse("http://localhost/b/k")).hasMessageContaining("nats://host/bucket/key");
    assertThatThrownBy(() -> NatsObjectStore.ObjectUrl.parse("nats://localhost/b.x/k")).hasMessageContaining("bucket name 'b.x'");
  }

  @Test
  void dynamosBincodeRecordRoundTripsThroughTheStore() {
    var codec = Bincode.codec(TestData.class);
    TestData d = new TestData(42, "test_item", List.of(1.0, 2.5, 3.7, 4.2));
    String url = "nats://localhost/test-bucket/test-data.bin";
    NatsObjectStore.Stored s = store.uploadData(d, codec, url);
    assertThat(s.size()).isEqualTo(61);
    assertThat(store.downloadData(url, codec)).isEqualTo(d);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    store.download(NatsObjectStore.ObjectUrl.parse(url), raw);
    assertThat(HexFormat.of().formatHex(raw.toByteArray())).isEqualTo(
        "2a000000" + "0900000000000000746573745f6974656d" + "0400000000000000"
            + "000000000000f03f" + "0000000000000440" + "9a99999999990d40" + "cdcccccccccc1040");
    assertThat(store.deleteBucket("test-bucket")).isTrue();
  }

  @Test
  void bucketsAppearOnFirstUploadAndMissingOnesAreClearErrors(@TempDir Path dir) throws Exception {
    String bucket = "b" + System.nanoTime();
    assertThat(store.deleteBucket(bucket)).as("deleting a missing bucket succeeds").isFalse();
    Path target = dir.resolve("out.bin");
    assertThatThrownBy(() -> store.download("nats://x/" + bucket + "/k", target, null))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NotFound))
        .hasMessageContaining("NATS get_object_store bucket does not exist: " + bucket);

    store.upload(new ByteArrayInputStream("one".getBytes(StandardCharsets.UTF_8)), NatsObjectStore.ObjectUrl.parse("nats://x/" + bucket + "/k"), null);
    store.upload(new ByteArrayInputStream("two!".getBytes(StandardCharsets.UTF_8)), NatsObjectStore.ObjectUrl.parse("nats://x/" + bucket + "/k"), null);
    assertThat(store.download("nats://x/" + bucket + "/k", target, null).size()).isEqualTo(4);
    assertThat(Files.readString(target)).as("a second upload replaces the object").isEqualTo("two!");

    assertThatThrownBy(() -> store.download("nats://x/" + bucket + "/missing", dir.resolve("m.bin"), null))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NotFound))
        .hasMessageContaining("no object 'missing' in bucket '" + bucket + "'");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("a failed download leaves no file behind").containsExactly("out.bin");
    }
    assertThatThrownBy(() -> store.upload(dir.resolve("nope"), "nats://x/" + bucket + "/k", null)).hasMessageContaining("no such file");

    assertThat(store.delete("nats://x/" + bucket + "/k")).isTrue();
    assertThat(store.delete("nats://x/" + bucket + "/k")).isFalse();
    assertThat(store.deleteBucket(bucket)).isTrue();
    assertThat(store.delete("nats://x/" + bucket + "/k")).isFalse();
  }

  @Test
  void shortReadsFromAPipeDoNotTruncateTheObject() throws Exception {
    byte[] data = new byte[NatsObjectStore.CHUNK_SIZE * 3 + 17];
    new Random(7).nextBytes(data);
    // an input stream that never returns more than 1000 bytes per read, as a pipe or socket may
    InputStream trickle = new InputStream() {
      int pos;

      @Override
      public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= data.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, 1000), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }
    };
    String url = "nats://x/trickle/obj";
    NatsObjectStore.Stored s = store.upload(trickle, NatsObjectStore.ObjectUrl.parse(url), null);
    assertThat(s.size()).isEqualTo(data.length);
    assertThat(s.chunks()).isEqualTo(4);
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    store.download(NatsObjectStore.ObjectUrl.parse(url), back);
    assertThat(back.toByteArray()).isEqualTo(data);
    store.deleteBucket("trickle");
  }

  @Test
  void aFileOfSeveralHundredMiBStreamsThroughA48MiBHeap(@TempDir Path dir) throws Exception {
    long size = 300L * 1024 * 1024 + 12345;
    Path src = dir.resolve("big.bin");
    String srcDigest = writeRandom(src, size);
    String url = "nats://localhost/big/model.bin";
    try (ChildJvm up = ChildJvm.start(List.of("-Xmx48m"), ObjectStoreChild.class, server.url(), "upload", src.toString(), url)) {
      String line = up.awaitLine("done ", Duration.ofSeconds(150));
      assertThat(line).startsWith("done " + size + " " + (size / NatsObjectStore.CHUNK_SIZE + 1) + " ");
      assertThat(up.awaitExit(Duration.ofSeconds(30))).isZero();
      System.out.println("upload: " + line);
    }
    Files.delete(src); // keep the disk use of this test at two copies
    Path dst = dir.resolve("copy.bin");
    try (ChildJvm down = ChildJvm.start(List.of("-Xmx48m"), ObjectStoreChild.class, server.url(), "download", url, dst.toString())) {
      String line = down.awaitLine("done ", Duration.ofSeconds(150));
      assertThat(line).startsWith("done " + size + " ");
      assertThat(down.awaitExit(Duration.ofSeconds(30))).isZero();
      System.out.println("download: " + line);
    }
    assertThat(Files.size(dst)).isEqualTo(size);
    assertThat(sha256(dst)).isEqualTo(srcDigest);
    assertThat(store.deleteBucket("big")).isTrue();
  }

  static String writeRandom(Path file, long size) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[1 << 20];
    Random r = new Random(size);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        r.nextBytes(block);
        int n = (int) Math.min(block.length, left);
        out.write(block, 0, n);
        md.update(block, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
