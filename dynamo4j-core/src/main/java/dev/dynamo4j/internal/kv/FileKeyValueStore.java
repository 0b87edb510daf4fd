package dev.dynamo4j.internal.kv;

import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.kv.Bucket;
import dev.dynamo4j.spi.kv.KeyValueStore;
import dev.dynamo4j.spi.kv.KvWatch;
import dev.dynamo4j.spi.kv.StoreException;
import dev.dynamo4j.spi.kv.StoreOutcome;
import dev.dynamo4j.wire.WireFormatException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store in a directory tree shared by every process of one machine (Dynamo's file store, same
 * layout, so Rust and Java processes can share a root).
 *
 * <p>A bucket is the directory {@code <root>/<bucket>}; each key is one file named by {@link
 * KeyCodec#urlSafe} of the key, holding the value. Writes go to a temporary {@code .tmp_<hex>}
 * file first, then a hard link (create-if-absent, revision 0) or a rename (update) puts it in
 * place, so readers never see half a value. Dot-files are ignored.
 *
 * <p><b>Liveness.</b> Records live for the bucket's TTL (default {@value #DEFAULT_TTL_SECONDS} s,
 * at least 1 s) past their file's modification time. Every max(shortest TTL / 3, 1 s) (on the
 * stores' shared {@link Liveness} timer, the work on a virtual thread) the store re-touches the files this store owns (re-creating one that
 * another process removed while we were paused) and deletes files older than the TTL in the
 * buckets it has open: that is how the records of a crashed process disappear, in at most TTL +
 * one sweep. {@link #shutdown()} deletes the owned files at once.
 *
 * <p><b>Watching.</b> The first watch of a bucket starts one daemon thread that follows the
 * directory with the JDK's {@link WatchService} (inotify on Linux), keeps the bucket's current
 * contents ({@link BucketMirror}), and publishes only real changes (touches that leave a value unchanged are not
 * events). An OS queue overflow triggers a rescan and diff, so no change is lost.
 */
public final class FileKeyValueStore implements KeyValueStore {
  private static final Logger log = LoggerFactory.getLogger(FileKeyValueStore.class);
  public static final long DEFAULT_TTL_SECONDS = 10;
  /** Ours. */
  public static final Setting<Boolean> ALLOW_SHARED_ROOT = Setting.oursIn("dynamo4j-core").flag("DYN_FILE_KV_ALLOW_SHARED_ROOT", false,
      "Let the file store use a root another user owns or others may write (a warning instead of a refusal).");
  /** Every variable this store reads itself. */
  public static final List<Setting<?>> SETTINGS = List.of(ALLOW_SHARED_ROOT);
  private static final Duration MIN_TTL = Duration.ofSeconds(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final Duration defaultTtl;
  private final int watchCapacity;
  private final long connectionId = RANDOM.nextLong();
  private final Map<String, FileBucket> buckets = new ConcurrentHashMap<>();
  private final OwnedRecords<Path> owned = new OwnedRecords<>();
  private final Liveness.Task sweeper;
  private volatile boolean shutdown;

  /** A store under {@code root} with the default TTL. */
  public FileKeyValueStore(Path root) {
    this(root, Duration.ofSeconds(DEFAULT_TTL_SECONDS), MemoryKeyValueStore.DEFAULT_WATCH_CAPACITY);
  }

  /**
   * @param defaultTtl TTL of buckets opened without one; at least 1 s
   * @throws StoreException {@code FilesystemError} when the root cannot be created
   */
  public FileKeyValueStore(Path root, Duration defaultTtl, int watchCapacity) {
    this.root = root.toAbsolutePath();
    this.defaultTtl = atLeastMin(defaultTtl);
    this.watchCapacity = watchCapacity;
    try {
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new StoreException(StoreException.Kind.FilesystemError, "cannot create " + this.root + ": " + e, e);
    }
    checkRootIsOurs(this.root, ALLOW_SHARED_ROOT.read(System.getenv()));
    this.sweeper = Liveness.every(this::sweepPeriod, this::sweepAll, "file-kv");
  }

  /** The largest record file read; a larger one is skipped (records are a few KB). */
  static final long MAX_RECORD_BYTES = 16L * 1024 * 1024;

  /**
   * Refuses a root another user owns or that others may write: anyone who can write there can
   * register endpoints that callers will send their requests to. With {@code
   * DYN_FILE_KV_ALLOW_SHARED_ROOT=true} (ours) it is only a warning. Skipped where the file
   * system has no POSIX owners.
   *
   * @throws StoreException {@code FilesystemError} naming the owner or the permissions
   */
  static void checkRootIsOurs(Path root, boolean allowShared) {
    PosixFileAttributes attrs;
    try {
      attrs = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException e) {
      return;
    } catch (IOException e) {
      throw new StoreException(StoreException.Kind.FilesystemError, "cannot read the owner of " + root + ": " + e, e);
    }
    String me = System.getProperty("user.name");
    String problem = null;
    if (attrs.isSymbolicLink()) {
      problem = "it is a symbolic link";
    } else if (!attrs.owner().getName().equals(me)) {
      problem = "it belongs to " + attrs.owner().getName() + ", not to " + me;
    } else if (attrs.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
      problem = "other users may write to it (" + PosixFilePermissions.toString(attrs.permissions()) + ")";
    }
    if (problem == null) {
      return;
    }
    String message = "file discovery store " + root + " is not safe to use: " + problem
        + "; whoever can write there can register endpoints your callers will trust. Use a directory of your own (DYN_FILE_KV)";
    if (allowShared) {
      log.warn("{} (used anyway: DYN_FILE_KV_ALLOW_SHARED_ROOT=true)", message);
      return;
    }
    throw new StoreException(StoreException.Kind.FilesystemError, message + ", or set DYN_FILE_KV_ALLOW_SHARED_ROOT=true to accept it");
  }

  /**
   * Whether {@code p} is a record file we may open: a regular file, not through a symbolic link
   * (a FIFO would block the reader in {@code open}, a link could point anywhere), of a sane size.
   */
  static boolean isRecordFile(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        if (!a.isDirectory()) {
          log.warn("skipping {} in the file store: not a regular file (a link, a FIFO or a device is never opened)", p);
        }
        return false;
      }
      if (a.size() > MAX_RECORD_BYTES) {
        log.warn("skipping {} in the file store: {} bytes, more than a record can be ({})", p, a.size(), MAX_RECORD_BYTES);
        return false;
      }
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      log.warn("skipping {} in the file store: {}", p, e.toString());
      return false;
    }
  }

  private static Duration atLeastMin(Duration ttl) {
    return ttl.compareTo(MIN_TTL) < 0 ? MIN_TTL : ttl;
  }

  public Path root() {
    return root;
  }

  @Override
  public long connectionId() {
    return connectionId;
  }

  @Override
  public Bucket getOrCreateBucket(String name, Duration ttl) {
    ensureOpen();
    return buckets.computeIfAbsent(name, n -> new FileBucket(n, ttl == null ? defaultTtl : atLeastMin(ttl), true));
  }

  @Override
  public Optional<Bucket> getBucket(String name) {
    ensureOpen();
    FileBucket b = buckets.get(name);
    if (b != null) {
      return Optional.of(b);
    }
    if (!Files.isDirectory(root.resolve(name))) {
      return Optional.empty();
    }
    return Optional.of(buckets.computeIfAbsent(name, n -> new FileBucket(n, defaultTtl, false)));
  }

  private void ensureOpen() {
    if (shutdown) {
      throw new StoreException(StoreException.Kind.ProviderError, "file store at " + root + " is shut down");
    }
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    sweeper.cancel();
    for (Map.Entry<Path, byte[]> record : owned.entries()) {
      Path p = record.getKey();
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        log.warn("could not delete {} at shutdown: {}", p, e.toString());
      }
    }
    owned.clear();
    for (FileBucket b : buckets.values()) {
      b.stopWatching();
    }
  }

  /** max(shortest TTL of the open buckets / 3, 1 s). */
  private Duration sweepPeriod() {
    Duration shortest = defaultTtl;
    for (FileBucket b : buckets.values()) {
      if (b.ttl.compareTo(shortest) < 0) {
        shortest = b.ttl;
      }
    }
    return Duration.ofMillis(Math.max(shortest.toMillis() / 3, 1000));
  }

  private void sweepAll() {
    for (FileBucket b : buckets.values()) {
      if (shutdown) {
        return;
      }
      try {
        b.sweep();
      } catch (RuntimeException e) {
        log.warn("sweep of bucket {} failed: {}", b.name, e.toString());
      }
    }
  }

  static String tempName() {
    byte[] r = new byte[8];
    RANDOM.nextBytes(r);
    return ".tmp_" + HexFormat.of().formatHex(r);
  }

  final class FileBucket implements Bucket {
    final String name;
    final Path dir;
    final Duration ttl;
    final BucketMirror mirror;
    private WatchService watchService;
    private Thread watcher;

    FileBucket(String name, Duration ttl, boolean create) {
      this.name = name;
      this.dir = root.resolve(name);
      this.ttl = ttl;
      this.mirror = new BucketMirror(watchCapacity);
      if (create) {
        try {
          Files.createDirectories(dir);
        } catch (IOException e) {
          throw new StoreException(StoreException.Kind.FilesystemError, "cannot create bucket directory " + dir + ": " + e, e);
        }
      }
    }

    @Override
    public String name() {
      return name;
    }

    private Path file(String key) {
      return dir.resolve(KeyCodec.urlSafe(key));
    }

    @Override
    public StoreOutcome insert(String key, byte[] value, long revision) {
      ensureOpen();
      Path target = file(key);
      Path temp = dir.resolve(tempName());
      try {
        Files.createDirectories(dir);
        Files.write(temp, value, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (revision == 0) {
          try {
            Files.createLink(target, temp);
          } catch (FileAlreadyExistsException e) {
            return new StoreOutcome.Exists(0);
          }
        } else {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        owned.created(target, value);
        return new StoreOutcome.Created(revision);
      } catch (IOException e) {
        throw new StoreException(StoreException.Kind.FilesystemError, "cannot write " + target + ": " + e, e);
      } finally {
        deleteQuietly(temp);
      }
    }

    @Override
    public Optional<byte[]> get(String key) {
      return read(file(key));
    }

    private Optional<byte[]> read(Path p) {
      if (!isRecordFile(p)) {
        return Optional.empty();
      }
      try {
        return Optional.of(Files.readAllBytes(p));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new StoreException(StoreException.Kind.FilesystemError, "cannot read " + p + ": " + e, e);
      }
    }

    @Override
    public long compareAndReplace(String key, byte[] expected, byte[] value) {
      ensureOpen();
      Path target = file(key);
      try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        Optional<byte[]> cur = read(target);
        if (cur.isEmpty()) {
          throw new StoreException(StoreException.Kind.MissingKey, name + "/" + key);
        }
        if (!Arrays.equals(cur.get(), expected)) {
          throw new StoreException(StoreException.Kind.Retry, name + "/" + key + " changed");
        }
        Path temp = dir.resolve(tempName());
        try {
          Files.write(temp, value, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          deleteQuietly(temp);
        }
        owned.replaced(target, value);
        return 0; // the file store keeps no revisions
      } catch (IOException e) {
        throw new StoreException(StoreException.Kind.FilesystemError, "cannot replace " + target + ": " + e, e);
      }
    }

    @Override
    public boolean delete(String key) {
      Path target = file(key);
      owned.deleted(target);
      try {
        return Files.deleteIfExists(target);
      } catch (IOException e) {
        throw new StoreException(StoreException.Kind.FilesystemError, "cannot delete " + target + ": " + e, e);
      }
    }

    @Override
    public Map<String, byte[]> entries() {
      Map<String, byte[]> out = new LinkedHashMap<>();
      scan().forEach((k, v) -> out.put(name + "/" + k, v));
      return out;
    }

    /** The bucket's keys and values as they are on disk now. */
    private Map<String, byte[]> scan() {
      Map<String, byte[]> out = new LinkedHashMap<>();
      if (!Files.isDirectory(dir)) {
        return out;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          String key = keyOf(p);
          if (key != null) {
            try {
              read(p).ifPresent(v -> out.put(key, v));
            } catch (StoreException e) {
              log.warn("skipping {} in the file store: {}", p, e.getMessage()); // one bad entry never ends a scan
            }
          }
        }
      } catch (IOException | DirectoryIteratorException e) {
        throw new StoreException(StoreException.Kind.FilesystemError, "cannot list " + dir + ": " + e, e);
      }
      return out;
    }

    private String keyOf(Path p) {
      String fn = p.getFileName().toString();
      if (fn.startsWith(".") || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      try {
        return KeyCodec.fromUrlSafe(fn);
      } catch (WireFormatException e) {
        return null;
      }
    }

    @Override
    public KvWatch watch() {
      ensureOpen();
      startWatching();
      return mirror.watch();
    }

    private synchronized void startWatching() {
      if (watcher != null) {
        return;
      }
      try {
        Files.createDirectories(dir);
        watchService = dir.getFileSystem().newWatchService();
        dir.register(
            watchService,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_DELETE,
            StandardWatchEventKinds.ENTRY_MODIFY);
      } catch (IOException e) {
        throw new StoreException(StoreException.Kind.FilesystemError, "cannot watch " + dir + ": " + e, e);
      }
      // Registered first, scanned second: a change racing the scan shows up as an event too,
      // and the mirror's diff makes it a no-op.
      rescan();
      WatchService ws = watchService;
      watcher = Thread.ofPlatform().daemon().name("dynamo4j-file-kv-watch-" + name).start(() -> follow(ws));
    }

    private void follow(WatchService ws) {
      try {
        while (true) {
          WatchKey key = ws.take();
          boolean overflow = false;
          Set<String> changed = new LinkedHashSet<>();
          for (var ev : key.pollEvents()) {
            if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
              overflow = true;
            } else if (ev.context() instanceof Path p) {
              changed.add(p.getFileName().toString());
            }
          }
          if (overflow) {
            rescan();
          } else {
            for (String fn : changed) {
              try {
                refresh(dir.resolve(fn));
              } catch (StoreException e) {
                log.warn("skipping {} in the file store: {}", dir.resolve(fn), e.getMessage()); // one bad entry never ends a watch
              }
            }
          }
          if (!key.reset()) {
            log.warn("bucket directory {} is gone; its watch ends (a new watch creates it again)", dir);
            watchEnded(ws);
            mirror.closeWatches();
            return;
          }
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        // store shut down
      } catch (RuntimeException e) {
        log.error("watch of bucket {} failed; closing its watchers so they notice", name, e);
        watchEnded(ws);
        mirror.closeWatches();
      }
    }

    /** The watcher thread of {@code ws} stopped: the next {@link #watch()} starts a new one. */
    private synchronized void watchEnded(WatchService ws) {
      if (watchService == ws) {
        watcher = null;
        watchService = null;
      }
      try {
        ws.close();
      } catch (IOException e) {
        log.debug("closing the watch service of {}: {}", dir, e.toString());
      }
    }

    /** Re-reads one file and publishes the change, if any. */
    private void refresh(Path p) {
      String key = keyOf(p);
      if (key == null) {
        return;
      }
      Optional<byte[]> v = read(p);
      if (v.isPresent()) {
        mirror.put(key, v.get());
      } else {
        mirror.remove(key);
      }
    }

    /** Reads the whole directory and publishes the differences from what watchers know. */
    private void rescan() {
      mirror.replaceAll(scan());
    }

    synchronized void stopWatching() {
      if (watchService != null) {
        try {
          watchService.close();
        } catch (IOException e) {
          log.debug("closing watch service of {}: {}", dir, e.toString());
        }
      }
      mirror.closeWatches();
    }

    /** Keeps our records alive and removes those of processes that stopped keeping theirs. */
    void sweep() {
      if (!Files.isDirectory(dir)) {
        return;
      }
      FileTime now = FileTime.from(Instant.now());
      Instant staleBefore = Instant.now().minus(ttl);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          if (owned.owns(p)) {
            continue;
          }
          String fn = p.getFileName().toString();
          if (fn.equals(".lock") || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            continue;
          }
          try {
            if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(staleBefore)) {
              Files.deleteIfExists(p); // a stale link is removed itself, never what it points to
              log.debug("removed stale record {}", p);
            }
          } catch (NoSuchFileException e) {
            // another sweeper got there first
          } catch (IOException e) {
            log.warn("cannot sweep {}: {}", p, e.toString()); // one bad entry never ends a sweep
          }
        }
      } catch (IOException e) {
        log.warn("cannot sweep {}: {}", dir, e.toString());
      }
      for (Map.Entry<Path, byte[]> e : owned.entries()) {
        Path p = e.getKey();
        if (!p.getParent().equals(dir)) {
          continue;
        }
        try {
          Files.setLastModifiedTime(p, now);
        } catch (NoSuchFileException gone) {
          // Someone took us for dead (a long pause); put the record back.
          Path temp = dir.resolve(tempName());
          try {
            Files.write(temp, e.getValue(), StandardOpenOption.CREATE_NEW);
            Files.createLink(p, temp);
            log.warn("re-created {} after another process removed it as stale", p);
          } catch (FileAlreadyExistsException exists) {
            // recreated meanwhile by a concurrent insert
          } catch (IOException io) {
            log.warn("cannot re-create {}: {}", p, io.toString());
          } finally {
            deleteQuietly(temp);
          }
        } catch (IOException io) {
          log.warn("cannot touch {}: {}", p, io.toString());
        }
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("could not delete temporary file {}: {}", p, e.toString());
    }
  }
}
