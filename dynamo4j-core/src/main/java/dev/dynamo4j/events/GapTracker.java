package dev.dynamo4j.events;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-publisher accounting of what a subscriber received: events delivered, gaps (sequence
 * numbers skipped and still missing), duplicates (dropped) and publishers seen. The first event
 * of a publisher starts its count wherever it is (a late joiner is not a gap); a restarted
 * publisher has a new id and is a new publisher. An event older than the newest one seen is
 * delivered if it fills a recorded hole (several brokers can reorder) and then no longer counts
 * as a gap; otherwise it is a duplicate. Holes are remembered individually up to {@value
 * #MAX_HOLES} per publisher.
 *
 * <p>A jump of more than {@value #MAX_HOLES} ahead is not believed at once (one event with a
 * wild sequence, corrupted or spoofed, would otherwise make every later event of that publisher a
 * duplicate): the event is delivered and counted as a {@code jump}, and the publisher's count
 * moves there only when the next event continues from it (a real loss of many events: the events
 * skipped then count as gaps). Events that continue the old count are delivered as usual.
 *
 * <p>Not thread-safe: one subscriber's reading thread owns it. The snapshot is safe to read from
 * any thread.
 */
final class GapTracker {
  static final int MAX_HOLES = 4096;
  private final Map<Long, Long> lastSeq = new HashMap<>();
  private final Map<Long, TreeSet<Long>> holes = new HashMap<>();
  private final Map<Long, Long> jumpedTo = new HashMap<>(); // an unconfirmed far jump per publisher
  private final LongAdder jumps = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private volatile int publishers;

  /** What {@link #observe} decided about one event. */
  public enum Verdict {
    DELIVER,
    /** Delivered, after {@code gap} missing events. */
    DELIVER_AFTER_GAP,
    DUPLICATE
  }

  // The publisher of the last event and its newest sequence, kept out of the map while it keeps
  // publishing in order (the common case: no map look-up, no boxing per event).
  private boolean cached;
  private long cachedPid;
  private long cachedLast;

  /** Accounts for one event; returns whether to deliver it. */
  public Verdict observe(long publisherId, long sequence, long[] gapOut) {
    if (cached && publisherId == cachedPid && sequence == cachedLast + 1 && sequence != 0) {
      cachedLast = sequence;
      received.increment();
      return Verdict.DELIVER;
    }
    if (cached) {
      lastSeq.put(cachedPid, cachedLast);
    }
    Verdict v = observeSlow(publisherId, sequence, gapOut);
    cached = true;
    cachedPid = publisherId;
    cachedLast = lastSeq.get(publisherId);
    return v;
  }

  private Verdict observeSlow(long publisherId, long sequence, long[] gapOut) {
    Long last = lastSeq.get(publisherId);
    if (last == null) {
      lastSeq.put(publisherId, sequence);
      publishers = lastSeq.size();
      received.increment();
      return Verdict.DELIVER;
    }
    if (Long.compareUnsigned(sequence, last) <= 0) {
      TreeSet<Long> h = holes.get(publisherId);
      if (h != null && h.remove(sequence)) {
        gaps.decrement();
        received.increment();
        return Verdict.DELIVER;
      }
      duplicates.increment();
      return Verdict.DUPLICATE;
    }
    long missing = sequence - last - 1;
    if (missing > MAX_HOLES || missing < 0) { // far ahead (or past the unsigned top)
      Long candidate = jumpedTo.get(publisherId);
      if (candidate == null || sequence != candidate + 1) {
        jumpedTo.put(publisherId, sequence);
        jumps.increment();
        received.increment();
        return Verdict.DELIVER; // believed only if the next event continues from here
      }
      // confirmed: the publisher really is here; the events before the jump are lost
      jumpedTo.remove(publisherId);
      holes.remove(publisherId);
      lastSeq.put(publisherId, sequence);
      received.increment();
      long lost = candidate - last - 1;
      gaps.add(lost);
      if (gapOut != null) {
        gapOut[0] = lost;
      }
      return Verdict.DELIVER_AFTER_GAP;
    }
    jumpedTo.remove(publisherId);
    lastSeq.put(publisherId, sequence);
    received.increment();
    if (missing > 0) {
      gaps.add(missing);
      TreeSet<Long> h = holes.computeIfAbsent(publisherId, k -> new TreeSet<>());
      for (long s = last + 1; s < sequence && s - last <= MAX_HOLES; s++) {
        h.add(s);
      }
      while (h.size() > MAX_HOLES) {
        h.pollFirst();
      }
      if (gapOut != null) {
        gapOut[0] = missing;
      }
      return Verdict.DELIVER_AFTER_GAP;
    }
    return Verdict.DELIVER;
  }

  /** The counts so far. */
  public EventSubscriber.Stats stats() {
    return new EventSubscriber.Stats(received.sum(), gaps.sum(), duplicates.sum(), publishers, jumps.sum());
  }
}
