package dev.dynamo4j.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.internal.network.Router;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing-policy vectors of dynamo-transports.md §2.12. */
class RouterTest {
  static Router.Sampler samples(int... values) {
    ArrayDeque<Integer> q = new ArrayDeque<>();
    for (int v : values) {
      q.add(v);
    }
    return bound -> {
      int v = q.removeFirst();
      assertThat(v).isLessThan(bound);
      return v;
    };
  }

  @Test
  void roundRobinCyclesAndPeekDoesNotAdvance() {
    Router r = new Router(RouterMode.ROUND_ROBIN);
    List<Long> c = List.of(10L, 20L, 30L, 40L);
    assertThat(r.peek(c)).isEqualTo(10);
    assertThat(r.peek(c)).isEqualTo(10);
    assertThat(List.of(r.select(c, id -> 0), r.select(c, id -> 0), r.select(c, id -> 0), r.select(c, id -> 0))).containsExactly(10L, 20L, 30L, 40L);
  }

  @Test
  void randomUsesTheSample() {
    assertThat(new Router(RouterMode.RANDOM, samples(2)).select(List.of(10L, 20L, 30L, 40L), id -> 0)).isEqualTo(30);
  }

  @Test
  void powerOfTwoChoicesPicksTheLessLoaded() {
    Map<Long, Integer> load = Map.of(10L, 1, 20L, 5, 30L, 1, 40L, 1);
    assertThat(new Router(RouterMode.POWER_OF_TWO_CHOICES, samples(1, 1)).select(List.of(10L, 20L, 30L, 40L), id -> load.get(id))).isEqualTo(40);
    assertThat(new Router(RouterMode.POWER_OF_TWO_CHOICES, samples()).select(List.of(7L), id -> 0)).isEqualTo(7);
  }

  @Test
  void leastLoadedBreaksTiesByReservoirSampling() {
    assertThat(new Router(RouterMode.LEAST_LOADED, samples(1, 0)).select(List.of(10L, 20L, 30L), id -> 0)).isEqualTo(30);
    assertThat(new Router(RouterMode.LEAST_LOADED, samples()).select(List.of(10L, 20L, 30L), id -> id == 20L ? 0 : 3)).isEqualTo(20);
  }

  @Test
  void noCandidateAndDirectAreErrorsAndModesParse() {
    assertThatThrownBy(() -> new Router(RouterMode.RANDOM).select(List.of(), id -> 0)).hasMessageContaining("no instance");
    assertThatThrownBy(() -> new Router(RouterMode.DIRECT).select(List.of(1L), id -> 0)).hasMessageContaining("direct");
    assertThat(RouterMode.parse("power-of-two-choices")).isEqualTo(RouterMode.POWER_OF_TWO_CHOICES);
    assertThatThrownBy(() -> RouterMode.parse("kv")).hasMessageContaining("valid: round_robin");
  }
}
