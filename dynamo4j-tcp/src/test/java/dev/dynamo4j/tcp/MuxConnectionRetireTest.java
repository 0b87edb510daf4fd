package dev.dynamo4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link MuxConnection#retireIfIdle} on a worker-side connection, one step at a time. */
class MuxConnectionRetireTest {
  private static final long LONG = Long.MAX_VALUE / 2;

  private static MuxConnection workerSide(EmbeddedChannel ch) {
    MuxConnection c = new MuxConnection(ch, null, 64 * 1024, 64 * 1024, 1 << 20);
    ch.pipeline().addLast(c);
    return c;
  }

  @Test
  void aConnectionWithAStreamIsNeverRetiredHoweverLongItWasIdleBefore() {
    EmbeddedChannel ch = new EmbeddedChannel();
    MuxConnection c = workerSide(ch);
    MuxStream s = c.open(UUID.randomUUID(), false);
    assertThat(c.retireIfIdle(0)).isFalse();
    assertThat(c.isUsable()).isTrue();
    assertThat(ch.isOpen()).isTrue();
    s.reset("done");
    assertThat(c.activeStreams()).isZero();
    assertThat(c.retireIfIdle(LONG)).as("idle for less than the limit").isFalse();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void anIdleConnectionRetiresFlushesAndClosesAndRefusesNewStreams() {
    EmbeddedChannel ch = new EmbeddedChannel();
    MuxConnection c = workerSide(ch);
    c.open(UUID.randomUUID(), false).reset("done");
    ch.runPendingTasks(); // the OPEN and RESET frames go out
    assertThat(c.retireIfIdle(0)).isTrue();
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(c.isUsable()).isFalse();
    assertThat(c.retireIfIdle(0)).as("once").isFalse();
    assertThatThrownBy(() -> c.open(UUID.randomUUID(), true))
        .isInstanceOfSatisfying(DynamoException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.Disconnected));
    assertThat(c.activeStreams()).as("the refused stream was taken back").isZero();
  }

  @Test
  void framesStillQueuedForTheSocketKeepTheConnection() {
    EmbeddedChannel ch = new EmbeddedChannel();
    MuxConnection c = workerSide(ch);
    c.open(UUID.randomUUID(), false).reset("done"); // OPEN and RESET queued, not yet written
    assertThat(c.retireIfIdle(0)).isFalse();
    ch.runPendingTasks();
    assertThat(c.retireIfIdle(0)).isTrue();
  }
}
