package dev.dynamo4j.bench;

/**
 * One side of the request-plane comparison, seen from the benchmark's (caller's) JVM: its server
 * runs in a JVM of its own ({@link ServerJvm}), the client here. Every method blocks the calling
 * (virtual) thread and is safe to call from many threads at once.
 */
interface Peer extends AutoCloseable {
  /** Short name used in tables, JSON and charts. */
  String name();

  /** One unary round trip: sends {@code payload}, returns when its echo has arrived. */
  void unary(byte[] payload) throws Exception;

  /**
   * As {@link #unary}, for many concurrent callers sharing one connection (the c=64 cell); the
   * same as {@link #unary} for peers that always multiplex.
   */
  default void unaryShared(byte[] payload) throws Exception {
    unary(payload);
  }

  /**
   * One server-streaming call: asks for {@code count} items of {@code size} bytes and returns when
   * the last has arrived; {@code onItem} runs once per item.
   */
  void stream(int size, int count, Runnable onItem) throws Exception;

  @Override
  void close() throws Exception;
}
