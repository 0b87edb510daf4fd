package dev.dynamo4j.internal.config;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The one way a plug-in is found: every {@link ServiceLoader} provider of a type that serves the
 * asked-for name and is available, the one with the highest priority winning. Used for discovery
 * backends, request planes and event planes alike, with the same error.
 */
public final class Providers {
  private Providers() {}

  /**
   * The provider of {@code type} whose {@code name} is {@code wanted}.
   *
   * @param what what was asked for, for the error, e.g. {@code request plane}
   * @throws DynamoException {@code Unavailable}: "{@code what} '<wanted>' is not available: put the
   *     dynamo4j module that provides it on the class path (have: a, b)"
   */
  public static <P> P select(Class<P> type, String what, String wanted, Function<P, String> name, Predicate<P> available, ToIntFunction<P> priority) {
    List<P> all = ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).filter(available).toList();
    return all.stream()
        .filter(p -> name.apply(p).equals(wanted))
        .max(Comparator.comparingInt(priority))
        .orElseThrow(() -> new DynamoException(ErrorType.Unavailable, what + " '" + wanted
            + "' is not available: put the dynamo4j module that provides it on the class path (have: "
            + String.join(", ", all.stream().map(name).sorted().distinct().toList()) + ")"));
  }

  /** The names of the available providers of {@code type}, sorted. */
  public static <P> List<String> available(Class<P> type, Function<P, String> name, Predicate<P> available) {
    return ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).filter(available).map(name).sorted().distinct().toList();
  }
}
