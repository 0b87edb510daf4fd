package dev.dynamo4j.internal.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import dev.dynamo4j.network.RouterMode;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Picks one candidate instance id per request, following Dynamo's policies (§2.10):
 *
 * <ul>
 *   <li>round robin: a shared cursor, {@code candidates[c % n]}, then {@code c + 1}; {@link
 *       #peek} does not advance;
 *   <li>random: a uniform index;
 *   <li>power of two choices: first uniform, second {@code (first + 1 + uniform(n - 1)) mod n},
 *       the one with fewer requests in flight (ties: the first);
 *   <li>least loaded: the minimum in flight, ties broken by reservoir sampling.
 * </ul>
 *
 * Thread-safe. Randomness comes from a {@link Sampler} so tests can fix it.
 */
public final class Router {
  /** Draws a uniform int in {@code [0, bound)}. */
  @FunctionalInterface
  public interface Sampler {
    int nextInt(int bound);
  }

  private final RouterMode mode;
  private final Sampler sampler;
  private final AtomicLong cursor = new AtomicLong();

  public Router(RouterMode mode) {
    this(mode, bound -> ThreadLocalRandom.current().nextInt(bound));
  }

  public Router(RouterMode mode, Sampler sampler) {
    this.mode = mode;
    this.sampler = sampler;
  }

  public RouterMode mode() {
    return mode;
  }

  /**
   * Chooses among {@code candidates} (ids in a stable order).
   *
   * @param inFlight the requests in flight per id (used by the load-aware modes)
   * @throws DynamoException {@code Unavailable} when there is no candidate; {@code
   *     InvalidArgument} in {@code direct} mode, where the caller must name the instance
   */
  public long select(List<Long> candidates, LongToIntFunction inFlight) {
    return choose(candidates, Long::longValue, inFlight);
  }

  /**
   * As {@link #select}, choosing among any items that carry an id (for example a client's
   * immutable snapshot of its instances), without copying them.
   */
  public <T> T choose(List<T> candidates, ToLongFunction<? super T> id, LongToIntFunction inFlight) {
    int n = candidates.size();
    if (n == 0) {
      throw new DynamoException(ErrorType.Unavailable, "no instance available");
    }
    return switch (mode) {
      case ROUND_ROBIN -> candidates.get((int) Long.remainderUnsigned(cursor.getAndIncrement(), n));
      case RANDOM -> candidates.get(sampler.nextInt(n));
      case POWER_OF_TWO_CHOICES -> {
        if (n == 1) {
          yield candidates.get(0);
        }
        int first = sampler.nextInt(n);
        int second = (first + 1 + sampler.nextInt(n - 1)) % n;
        T a = candidates.get(first);
        T b = candidates.get(second);
        yield inFlight.applyAsInt(id.applyAsLong(b)) < inFlight.applyAsInt(id.applyAsLong(a)) ? b : a;
      }
      case LEAST_LOADED -> {
        T best = candidates.get(0);
        int bestLoad = inFlight.applyAsInt(id.applyAsLong(best));
        int ties = 1;
        for (int i = 1; i < n; i++) {
          T c = candidates.get(i);
          int load = inFlight.applyAsInt(id.applyAsLong(c));
          if (load < bestLoad) {
            best = c;
            bestLoad = load;
            ties = 1;
          } else if (load == bestLoad) {
            ties++;
            if (sampler.nextInt(ties) == 0) {
              best = c;
            }
          }
        }
        yield best;
      }
      case DIRECT -> throw new DynamoException(ErrorType.InvalidArgument, "direct routing needs an instance id: use Client.direct");
    };
  }

  /** The instance round robin would pick next, without advancing. */
  public long peek(List<Long> candidates) {
    if (candidates.isEmpty()) {
      throw new DynamoException(ErrorType.Unavailable, "no instance available");
    }
    return candidates.get((int) Long.remainderUnsigned(cursor.get(), candidates.size()));
  }
}
