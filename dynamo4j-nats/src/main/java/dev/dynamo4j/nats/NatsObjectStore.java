package dev.dynamo4j.nats;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.wire.Bincode;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.ObjectStore;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.NoSuchAlgorithmException;
import java.util.function.LongConsumer;

/**
 * Dynamo's NATS object store (spec dynamo-transports §3.3): files and bincode-encoded values kept in
 * JetStream object-store buckets and addressed as {@code nats://host[:port]/<bucket>/<key>} (the
 * host is ignored: the connection given here is used, as in Dynamo).
 *
 * <p>Uploads stream the input in 128 KiB chunks (one JetStream publish, confirmed by the server,
 * per chunk) and downloads stream chunks to the output as they arrive, through an ordered consumer
 * with flow control, so neither ever holds more than a few chunks of the object in memory. A
 * download to a file writes a temporary file next to it and renames it into place only after the
 * object's SHA-256 digest has been checked, so a failed download never leaves a partial file under
 * the target name. Objects keep jnats's and async-nats's shared layout ({@code OBJ_<bucket>}
 * stream), so Dynamo's Python/Rust processes and this class read each other's objects.
 *
 * <p>A missing bucket is created (default configuration: file storage, one replica) on first
 * upload; downloads from a missing bucket fail with {@code NotFound}; deleting a missing bucket
 * succeeds. Every method blocks the calling thread (call from a virtual thread); failures are
 * {@link DynamoException}s: {@code InvalidArgument} for a bad URL or bucket name, {@code NotFound}
 * for a missing bucket or object, {@code Unavailable} for JetStream or I/O trouble. The class holds
 * no state but the connection and is thread-safe.
 */
public final class NatsObjectStore {
  /** jnats's and async-nats's default chunk size. */
  public static final int CHUNK_SIZE = 128 * 1024;

  private static final int STREAM_NOT_FOUND = 10059;

  private final Connection nc;

  public NatsObjectStore(Connection nc) {
    this.nc = nc;
  }

  /**
   * A parsed {@code nats://host[:port]/<bucket>/<key>}. The key is the raw second path segment,
   * percent escapes kept, as Dynamo's {@code url_to_bucket_and_key} reads it. Dynamo ignores
   * segments after the key; here they are refused, so {@code nats://h/b/dir/file} does not silently
   * name the object {@code dir}.
   */
  public record ObjectUrl(String bucket, String key) {
    /**
     * Parses an object URL.
     *
     * @throws DynamoException {@code InvalidArgument} saying which part is missing or wrong
     */
    public static ObjectUrl parse(String url) {
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new DynamoException(ErrorType.InvalidArgument, "not a URL: " + url + " (" + e.getMessage() + ")", e);
      }
      if (!"nats".equalsIgnoreCase(uri.getScheme())) {
        throw new DynamoException(ErrorType.InvalidArgument, "object URLs look like nats://host/bucket/key, got " + url);
      }
      String path = uri.getRawPath();
      if (path == null || path.isEmpty() || path.equals("/")) {
        throw new DynamoException(ErrorType.InvalidArgument, "No bucket in NATS URL: " + url);
      }
      String[] seg = path.substring(1).split("/", -1);
      if (seg[0].isEmpty()) {
        throw new DynamoException(ErrorType.InvalidArgument, "No bucket in NATS URL: " + url);
      }
      if (seg.length < 2 || seg[1].isEmpty()) {
        throw new DynamoException(ErrorType.InvalidArgument, "No key in NATS URL: " + url);
      }
      if (seg.length > 2) {
        throw new DynamoException(ErrorType.InvalidArgument,
            "NATS object URL has path segments after the key (Dynamo would ignore them): " + url + "; use nats://host/" + seg[0] + "/<key without '/'>");
      }
      if (!seg[0].matches("[A-Za-z0-9_-]+")) {
        throw new DynamoException(ErrorType.InvalidArgument, "bucket name '" + seg[0] + "' in " + url + " may only contain A-Z, a-z, 0-9, _ and -");
      }
      return new ObjectUrl(seg[0], seg[1]);
    }

    @Override
    public String toString() {
      return bucket + "/" + key;
    }
  }

  /** What an upload stored. */
  public record Stored(String bucket, String key, long size, long chunks, String digest) {
    static Stored of(ObjectInfo i) {
      return new Stored(i.getBucket(), i.getObjectName(), i.getSize(), i.getChunks(), i.getDigest());
    }
  }

  /**
   * Uploads a file, creating the bucket when it does not exist; an existing object of that key is
   * replaced (its old chunks are purged once the new ones are stored).
   *
   * @param progress called on this thread with the bytes sent so far after each chunk; may be null
   * @throws DynamoException {@code NotFound} when the file does not exist, {@code Unavailable} when
   *     JetStream refuses or the read fails
   */
  public Stored upload(Path file, String url, LongConsumer progress) {
    ObjectUrl u = ObjectUrl.parse(url);
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new DynamoException(ErrorType.NotFound, "no such file: " + file, e);
    } catch (IOException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot read " + file + ": " + e.getMessage(), e);
    }
    return upload(in, u, progress);
  }

  /**
   * Uploads everything {@code in} yields, then closes it.
   *
   * @see #upload(Path, String, LongConsumer)
   */
  public Stored upload(InputStream in, ObjectUrl url, LongConsumer progress) {
    try (InputStream full = new FullChunks(in, progress)) {
      ObjectStore os = bucket(url.bucket(), true);
      return Stored.of(os.put(url.key(), full));
    } catch (IOException | JetStreamApiException | NoSuchAlgorithmException | RuntimeException e) {
      throw failure("Failed uploading to bucket / object store " + url, e);
    }
  }

  /**
   * Downloads an object into {@code file} (parent directories must exist): written to a temporary
   * file in the same directory, digest-checked, then moved over {@code file}.
   *
   * @param progress called with the bytes written so far after each chunk; may be null
   * @throws DynamoException {@code NotFound} for a missing bucket or object; {@code Unavailable}
   *     for a digest mismatch, JetStream or disk trouble (the target file is then untouched)
   */
  public Stored download(String url, Path file, LongConsumer progress) {
    ObjectUrl u = ObjectUrl.parse(url);
    Path dir = file.toAbsolutePath().getParent();
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".part");
    } catch (IOException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot write in " + dir + ": " + e.getMessage(), e);
    }
    try {
      Stored s;
      try (OutputStream out = new Counting(Files.newOutputStream(tmp), progress)) {
        s = download(u, out);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return s;
    } catch (IOException e) {
      throw new DynamoException(ErrorType.Unavailable, "cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a stray .part file is visible and harmless
      }
    }
  }

  /**
   * Streams an object to {@code out} (not closed here). The digest is checked after the last
   * chunk, so on failure {@code out} may already hold part of the object.
   *
   * @throws DynamoException {@code NotFound} for a missing bucket or object
   */
  public Stored download(ObjectUrl url, OutputStream out) {
    ObjectStore os = bucket(url.bucket(), false);
    try {
      ObjectInfo info = os.getInfo(url.key());
      if (info == null || info.isDeleted()) {
        throw new DynamoException(ErrorType.NotFound, "no object '" + url.key() + "' in bucket '" + url.bucket() + "'");
      }
      return Stored.of(os.get(url.key(), out));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DynamoException(ErrorType.Cancelled, "interrupted while downloading " + url, e);
    } catch (IOException | JetStreamApiException | NoSuchAlgorithmException | RuntimeException e) {
      throw failure("Failed downloading from bucket / object store " + url, e);
    }
  }

  /**
   * Deletes one object.
   *
   * @return false when the bucket or the object did not exist
   */
  public boolean delete(String url) {
    ObjectUrl u = ObjectUrl.parse(url);
    try {
      ObjectStore os = bucket(u.bucket(), false);
      ObjectInfo info = os.getInfo(u.key());
      if (info == null || info.isDeleted()) {
        return false;
      }
      os.delete(u.key());
      return true;
    } catch (DynamoException e) {
      if (e.type() == ErrorType.NotFound) {
        return false;
      }
      throw e;
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw failure("Failed deleting " + u, e);
    }
  }

  /**
   * Deletes a bucket and every object in it. A bucket that does not exist counts as deleted.
   *
   * @return false when there was no such bucket
   */
  public boolean deleteBucket(String bucket) {
    try {
      nc.objectStoreManagement().delete(bucket);
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
        return false;
      }
      throw failure("NATS get_object_store error for bucket " + bucket, e);
    } catch (IOException | RuntimeException e) {
      throw failure("NATS get_object_store error for bucket " + bucket, e);
    }
  }

  /**
   * Uploads {@code value} as bincode 1.x (Dynamo's {@code object_store_upload_data}).
   *
   * @throws DynamoException as {@link #upload(InputStream, ObjectUrl, LongConsumer)}, or {@code
   *     InvalidArgument} when the value cannot be encoded
   */
  public <T> Stored uploadData(T value, Bincode.Codec<T> codec, String url) {
    return upload(new ByteArrayInputStream(codec.encode(value)), ObjectUrl.parse(url), null);
  }

  /**
   * Downloads and decodes a bincode 1.x value (Dynamo's {@code object_store_download_data}); the
   * object is read into memory, so keep such values small.
   *
   * @throws DynamoException {@code NotFound} as {@link #download(ObjectUrl, OutputStream)}, {@code
   *     InvalidArgument} (a {@code WireFormatException}) when the bytes are not a {@code T}
   */
  public <T> T downloadData(String url, Bincode.Codec<T> codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    download(ObjectUrl.parse(url), out);
    return codec.decode(out.toByteArray());
  }

  private ObjectStore bucket(String bucket, boolean create) {
    try {
      try {
        nc.objectStoreManagement().getStatus(bucket);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
          throw e;
        }
        if (!create) {
          throw new DynamoException(ErrorType.NotFound, "NATS get_object_store bucket does not exist: " + bucket);
        }
        // concurrent creators are fine: JetStream answers an identical create with the existing bucket
        nc.objectStoreManagement().create(ObjectStoreConfiguration.builder(bucket).storageType(StorageType.File).build());
      }
      return nc.objectStore(bucket);
    } catch (IOException | JetStreamApiException e) {
      throw failure("NATS get_object_store error for bucket " + bucket, e);
    } catch (IllegalArgumentException e) {
      throw new DynamoException(ErrorType.InvalidArgument, "bad bucket name '" + bucket + "': " + e.getMessage(), e);
    }
  }

  private static DynamoException failure(String what, Exception e) {
    if (e instanceof DynamoException d) {
      return d;
    }
    if (e instanceof JetStreamApiException j && j.getApiErrorCode() == 10076) { // "JetStream not enabled"
      return new DynamoException(ErrorType.Unavailable, "JetStream not available: " + e.getMessage(), e);
    }
    return new DynamoException(ErrorType.Unavailable, what + ": " + e.getMessage(), e);
  }

  /**
   * Reads whole chunks: jnats treats a short read as the end of the object, which a pipe or a
   * socket gives in the middle of the data.
   */
  private static final class FullChunks extends FilterInputStream {
    private final LongConsumer progress;
    private long total;

    FullChunks(InputStream in, LongConsumer progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.readNBytes(b, off, len);
      if (n == 0 && len > 0) {
        return -1;
      }
      total += n;
      if (progress != null) {
        progress.accept(total);
      }
      return n;
    }

    @Override
    public int read(byte[] b) throws IOException {
      return read(b, 0, b.length);
    }
  }

  private static final class Counting extends FilterOutputStream {
    private final LongConsumer progress;
    private long total;

    Counting(OutputStream out, LongConsumer progress) {
      super(out);
      this.progress = progress;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      total += len;
      if (progress != null) {
        progress.accept(total);
      }
    }
  }
}
