package dev.dynamo4j.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A request value together with the state every stage of that request shares: the {@link
 * Controller} (id, stop, kill), a type-keyed registry, and the list of stages it passed.
 *
 * <p>{@link #transfer} and {@link #map} produce a context for a new value that shares the
 * controller, registry and stages, which is how pipeline stages change the request type without
 * losing its identity. The ingress rebuilds a context with the caller's id ({@link #withId}), so
 * request ids survive the network.
 *
 * <p>Thread-safe for the shared parts; the value itself is whatever the caller put in.
 *
 * @param <T> the request type
 */
public final class Context<T> implements PipelineIO {
  private final T value;
  private final Controller controller;
  private final Registry registry;
  private final List<String> stages;

  private Context(T value, Controller controller, Registry registry, List<String> stages) {
    this.value = value;
    this.controller = controller;
    this.registry = registry;
    this.stages = stages;
  }

  /** A new request with a fresh UUID v4 id. */
  public static <T> Context<T> of(T value) {
    return new Context<>(value, new Controller(), new Registry(), Collections.synchronizedList(new ArrayList<>()));
  }

  /** A new request with the given id (the ingress uses the id the caller sent). */
  public static <T> Context<T> withId(T value, String id) {
    return new Context<>(value, new Controller(id), new Registry(), Collections.synchronizedList(new ArrayList<>()));
  }

  /** A new request driven by an existing controller. */
  public static <T> Context<T> withController(T value, Controller controller) {
    return new Context<>(value, Objects.requireNonNull(controller), new Registry(), Collections.synchronizedList(new ArrayList<>()));
  }

  /** A context for {@code value} that reuses {@code other}'s controller, registry and stages. */
  public static <T> Context<T> rejoin(T value, Context<?> other) {
    return new Context<>(value, other.controller, other.registry, other.stages);
  }

  public T value() {
    return value;
  }

  @Override
  public String id() {
    return controller.id();
  }

  public Controller controller() {
    return controller;
  }

  public void stop() {
    controller.stop();
  }

  public void kill() {
    controller.kill();
  }

  public boolean isStopped() {
    return controller.isStopped();
  }

  public boolean isKilled() {
    return controller.isKilled();
  }

  /** Same request, new value. */
  public <U> Context<U> transfer(U newValue) {
    return new Context<>(newValue, controller, registry, stages);
  }

  /** Same request, value mapped through {@code f}. */
  public <U> Context<U> map(Function<? super T, ? extends U> f) {
    return transfer(f.apply(value));
  }

  /** Records that the request passed a named stage. */
  public void addStage(String name) {
    stages.add(name);
  }

  public List<String> stages() {
    synchronized (stages) {
      return List.copyOf(stages);
    }
  }

  /** Stores a shared value under its type, replacing any earlier one. */
  public <V> void insert(Class<V> type, V v) {
    registry.shared.put(type, v);
  }

  /** A shared value of this type, if one was inserted. */
  public <V> Optional<V> get(Class<V> type) {
    return Optional.ofNullable(type.cast(registry.shared.get(type)));
  }

  /** Stores a value that exactly one stage may take. */
  public <V> void insertUnique(Class<V> type, V v) {
    registry.unique.put(type, v);
  }

  /** Takes the unique value of this type; later calls get nothing. */
  public <V> Optional<V> takeUnique(Class<V> type) {
    return Optional.ofNullable(type.cast(registry.unique.remove(type)));
  }

  @Override
  public String toString() {
    return "Context[" + id() + ", " + value + "]";
  }

  private static final class Registry {
    final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();
    final Map<Class<?>, Object> unique = new ConcurrentHashMap<>();
  }
}
