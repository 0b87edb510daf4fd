package dev.dynamo4j.error;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.wire.DynamoErrorJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Converting arbitrary exceptions as Dynamo's {@code error.rs} converts arbitrary errors (spec M2). */
class ErrorConversionTest {
  @Test
  void aPlainExceptionIsUnclassifiedWithItsOwnMessage() {
    IllegalStateException boom = new IllegalStateException("boom");
    DynamoException e = DynamoException.wrap(boom);
    assertThat(e.type()).isEqualTo(ErrorType.Internal);
    assertThat(e.getMessage()).isEqualTo("boom"); // no "java.lang.IllegalStateException: " prefix
    assertThat(e.getCause()).isSameAs(boom);
    DynamoError d = e.toDynamoError();
    assertThat(d.effectiveReason()).isEqualTo("runtime.unclassified");
    assertThat(d.diagnostic()).isEqualTo("boom");
    assertThat(d.causedBy()).isNull();
    assertThat(json(d)).isEqualTo(
        "{\"error_type\":\"Unknown\",\"class\":\"Internal\",\"reason\":\"runtime.unclassified\",\"message\":\"boom\",\"diagnostic\":\"boom\"}");
  }

  @Test
  void anExceptionWithoutAMessageIsNamedByItsClass() {
    assertThat(DynamoException.wrap(new ConcurrentModificationException()).getMessage()).isEqualTo("java.util.ConcurrentModificationException");
  }

  @Test
  void aTypedErrorUnderGenericWrappersKeepsItsClassAndReason() {
    DynamoException typed = new DynamoException(ErrorType.InvalidArgument, "prompt too long");
    Throwable chain = new CompletionException("async failed", new ExecutionException("task failed", new RuntimeException("handler failed", typed)));
    DynamoException e = DynamoException.wrap(chain);
    assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument);
    assertThat(e.getMessage()).isEqualTo("async failed");
    DynamoError d = e.toDynamoError();
    assertThat(d.effectiveReason()).isEqualTo("request.invalid_argument");
    // The whole chain travels as caused_by, each link with its own message.
    assertThat(d.causedBy().diagnostic()).isEqualTo("task failed");
    assertThat(d.causedBy().causedBy().diagnostic()).isEqualTo("handler failed");
    assertThat(d.causedBy().causedBy().causedBy().diagnostic()).isEqualTo("prompt too long");
    assertThat(d.causedBy().causedBy().causedBy().effectiveReason()).isEqualTo("request.invalid_argument");
  }

  @Test
  void theIdentitySurvivesATripOverTheWire() {
    DynamoError disconnected = new DynamoError(ErrorType.Unavailable, "transport.disconnected", "worker went away", null, null);
    Throwable chain = new RuntimeException("stream failed", new DynamoException(ErrorType.Unavailable, "lost", null, disconnected));
    DynamoError sent = DynamoException.wrap(chain).toDynamoError();
    DynamoError received = DynamoErrorJson.fromBytes(DynamoErrorJson.toBytes(sent));
    assertThat(received.errorClass()).isEqualTo(ErrorType.Unavailable);
    assertThat(received.effectiveReason()).isEqualTo("transport.disconnected");
    assertThat(received.diagnostic()).isEqualTo("stream failed");
    assertThat(received.causedBy().effectiveReason()).isEqualTo("transport.disconnected");
    DynamoException back = received.toException();
    assertThat(back.type()).isEqualTo(ErrorType.Unavailable);
    assertThat(back.isInstanceFault()).isEqualTo(ErrorType.Unavailable.isInstanceFault());
  }

  @Test
  void anInternalSourceDoesNotLendItsIdentity() {
    Throwable chain = new RuntimeException("outer", new DynamoException(ErrorType.Internal, "defect"));
    DynamoError d = DynamoException.wrap(chain).toDynamoError();
    assertThat(d.errorClass()).isEqualTo(ErrorType.Internal);
    assertThat(d.effectiveReason()).isEqualTo("runtime.unclassified");
    assertThat(d.causedBy().effectiveReason()).isEqualTo("runtime.internal");
  }

  @Test
  void aDynamoExceptionsPlainCauseTravelsAsCausedBy() {
    DynamoException e = new DynamoException(ErrorType.Disconnected, "worker lost", new IOException("Connection reset"));
    DynamoError d = e.toDynamoError();
    assertThat(d.effectiveReason()).isEqualTo("transport.disconnected");
    assertThat(d.causedBy().toString()).isEqualTo("Internal: Connection reset");
  }

  @Test
  void aLoopingCauseChainEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    DynamoError d = DynamoException.wrap(a).toDynamoError();
    int depth = 0;
    for (DynamoError x = d; x != null; x = x.causedBy()) {
      depth++;
    }
    assertThat(depth).isBetween(2, 40);
  }

  private static String json(DynamoError d) {
    return new String(DynamoErrorJson.toBytes(d), StandardCharsets.UTF_8);
  }
}
