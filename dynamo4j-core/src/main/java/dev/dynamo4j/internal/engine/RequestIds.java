package dev.dynamo4j.internal.engine;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random ids for requests and response streams, in UUID v4 layout, drawn from {@link
 * ThreadLocalRandom} rather than {@code SecureRandom}: {@link UUID#randomUUID()} takes a lock
 * shared by every thread of the process, which a request path creating two ids per call should
 * not. These ids name requests and correlate streams; they are not secrets (Dynamo sends them in
 * clear on the request plane too), so predictability is no loss; TLS is what protects a stream.
 */
public final class RequestIds {
  private RequestIds() {}

  /** A random UUID v4 (version and variant bits set as RFC 4122 says). */
  public static UUID newUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /** {@link #newUuid()} as its lower-case hyphenated text. */
  public static String newId() {
    return newUuid().toString();
  }
}
