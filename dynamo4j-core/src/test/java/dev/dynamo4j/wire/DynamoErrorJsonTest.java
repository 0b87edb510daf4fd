package dev.dynamo4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.error.DynamoError.PublicDetails;
import dev.dynamo4j.error.DynamoError;
import dev.dynamo4j.error.ErrorType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The DynamoError wire form of the model spec's R6 and the prologue vectors of §2.12. */
class DynamoErrorJsonTest {
  static String json(DynamoError e) {
    return new String(DynamoErrorJson.toBytes(e), StandardCharsets.UTF_8);
  }

  static DynamoError read(String s) {
    return DynamoErrorJson.fromBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void invalidRequestWithoutDiagnostic() {
    assertThat(json(new DynamoError(ErrorType.InvalidRequest, null, null, null, null)))
        .isEqualTo("{\"error_type\":\"InvalidArgument\",\"class\":\"InvalidRequest\",\"reason\":\"request.invalid\",\"message\":\"\"}");
  }

  @Test
  void rateLimitedWithPublicDetails() {
    DynamoError e =
        new DynamoError(ErrorType.RateLimited, null, "request rate exceeded", new PublicDetails.RateLimit(100, 0L), null);
    assertThat(json(e))
        .isEqualTo(
            "{\"error_type\":\"ResourceExhausted\",\"class\":\"RateLimited\",\"reason\":\"request.rate_limited\",\"message\":\"request rate exceeded\","
                + "\"diagnostic\":\"request rate exceeded\",\"public\":{\"type\":\"rate_limit\",\"limit\":100,\"remaining\":0}}");
    assertThat(read(json(e))).isEqualTo(e);
  }

  @Test
  void invalidIdentityFailsClosed() {
    DynamoError e =
        new DynamoError(ErrorType.InvalidRequest, "request.rate_limited", "private details", new PublicDetails.Message("x"), null);
    assertThat(json(e))
        .isEqualTo(
            "{\"error_type\":\"Unknown\",\"class\":\"Internal\",\"reason\":\"runtime.invalid_error\",\"message\":\"private details\",\"diagnostic\":\"private details\"}");
  }

  @Test
  void backendClassIsExternallyTagged() {
    DynamoError e = new DynamoError(ErrorType.BackendEngineShutdown, null, null, null, null);
    assertThat(json(e))
        .isEqualTo(
            "{\"error_type\":{\"Backend\":\"EngineShutdown\"},\"class\":\"Unavailable\",\"reason\":\"backend.engine_shutdown\",\"message\":\"\"}");
    assertThat(read(json(e)).type()).isEqualTo(ErrorType.BackendEngineShutdown);
    assertThat(e.toString()).isEqualTo("Unavailable: backend.engine_shutdown");
    assertThat(ErrorType.BackendEngineShutdown.toString()).isEqualTo("BackendEngineShutdown");
  }

  @Test
  void legacyErrorTypeDecodesWithItsDefaultReason() {
    DynamoError e = read("{\"error_type\":\"InvalidArgument\",\"message\":\"bad request\"}");
    assertThat(e.errorClass()).isEqualTo(ErrorType.InvalidRequest);
    assertThat(e.effectiveReason()).isEqualTo("request.invalid_argument");
    assertThat(e.diagnostic()).isEqualTo("bad request");
    assertThat(e.type()).isEqualTo(ErrorType.InvalidArgument);
  }

  @Test
  void legacyTypeRoundTripsWhenItsCanonicalFormMatches() {
    DynamoError e = DynamoError.of(ErrorType.CannotConnect, "refused");
    DynamoError back = read(json(e));
    assertThat(back.type()).isEqualTo(ErrorType.CannotConnect);
    assertThat(back.errorClass()).isEqualTo(ErrorType.Unavailable);
    assertThat(back.effectiveReason()).isEqualTo("transport.cannot_connect");
    DynamoError overloaded = read(json(DynamoError.of(ErrorType.WorkerOverloaded, null)));
    assertThat(overloaded.errorClass()).isEqualTo(ErrorType.CapacityExhausted);
    assertThat(overloaded.effectiveReason()).isEqualTo("capacity.worker_overloaded");
  }

  @Test
  void unknownClassFailsClosedAndUnknownKeysAreIgnored() {
    DynamoError e = read("{\"class\":\"FutureErrorClass\",\"reason\":\"request.invalid\",\"message\":\"m\",\"extra\":1}");
    assertThat(e.errorClass()).isEqualTo(ErrorType.Internal);
    assertThat(e.effectiveReason()).isEqualTo("runtime.invalid_error");
    assertThat(e.diagnostic()).isEqualTo("m");
  }

  @Test
  void reasonOfAnotherClassFailsClosedAndDropsPublic() {
    DynamoError e =
        read("{\"class\":\"NotFound\",\"reason\":\"request.invalid\",\"diagnostic\":\"d\",\"public\":{\"type\":\"message\",\"message\":\"p\"}}");
    assertThat(e.effectiveReason()).isEqualTo("runtime.invalid_error");
    assertThat(e.publicDetails()).isNull();
  }

  @Test
  void causeChainAndPublicAliasAreRead() {
    DynamoError e =
        read("{\"class\":\"Unavailable\",\"reason\":\"backend.unavailable\",\"public_details\":{\"type\":\"size_limit\",\"limit\":5,\"actual\":null},"
            + "\"caused_by\":{\"error_type\":\"Disconnected\"}}");
    assertThat(e.publicDetails()).isEqualTo(new PublicDetails.SizeLimit(5, null));
    assertThat(e.causedBy().type()).isEqualTo(ErrorType.Disconnected);
  }

  @Test
  void longDiagnosticsAreCutAtACharacterBoundary() {
    DynamoError e = DynamoError.of(ErrorType.Internal, "é".repeat(5000));
    byte[] utf8 = e.diagnostic().getBytes(StandardCharsets.UTF_8);
    assertThat(utf8.length).isLessThanOrEqualTo(DynamoError.MAX_DIAGNOSTIC_BYTES);
    assertThat(e.diagnostic()).endsWith("...[truncated]").startsWith("éé");
  }

  @Test
  void legacyPrologueWithoutTypedError() {
    ResponseStreamPrologue p =
        ResponseStreamPrologue.fromJson("{\"error\":\"Generate Error: something went wrong\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(p.error()).isEqualTo("Generate Error: something went wrong");
    assertThat(p.typedError()).isNull();
  }

  @Test
  void prologueKeepsAKnownTypedError() {
    ResponseStreamPrologue p =
        ResponseStreamPrologue.fromJson(
            "{\"error\":\"bad\",\"typed_error\":{\"error_type\":\"InvalidArgument\",\"message\":\"bad\"}}".getBytes(StandardCharsets.UTF_8));
    assertThat(p.typedError().errorClass()).isEqualTo(ErrorType.InvalidRequest);
    assertThat(p.typedError().effectiveReason()).isEqualTo("request.invalid_argument");
  }

  @Test
  void prologueDropsAnUnknownLegacyTypeButFailsClosedOnAnUnknownClass() {
    ResponseStreamPrologue legacy =
        ResponseStreamPrologue.fromJson(
            "{\"error\":\"x\",\"typed_error\":{\"error_type\":\"VariantFromTheFuture\",\"message\":\"x\"}}".getBytes(StandardCharsets.UTF_8));
    assertThat(legacy.typedError()).isNull();
    ResponseStreamPrologue future =
        ResponseStreamPrologue.fromJson(
            "{\"error\":\"x\",\"typed_error\":{\"class\":\"FutureErrorClass\",\"message\":\"x\"}}".getBytes(StandardCharsets.UTF_8));
    assertThat(future.typedError().errorClass()).isEqualTo(ErrorType.Internal);
    assertThat(future.typedError().effectiveReason()).isEqualTo("runtime.invalid_error");
  }

  @Test
  void prologueRoundTripsTheTypedError() {
    ResponseStreamPrologue p = new ResponseStreamPrologue("boom", DynamoError.of(ErrorType.BackendStreamIncomplete, "boom"));
    ResponseStreamPrologue back = ResponseStreamPrologue.fromFrame(TwoPartMessage.decode(p.toFrame().encode()));
    assertThat(back).isEqualTo(p);
  }

  @Test
  void everyTypeHasACatalogReasonOfItsCanonicalClass() {
    for (ErrorType t : ErrorType.values()) {
      DynamoError e = new DynamoError(t, null, null, null, null);
      assertThat(e.identityValid()).as(t.name()).isTrue();
      assertThat(DynamoError.catalogClass(t.defaultReason())).as(t.name()).isEqualTo(t.canonical());
      assertThat(read(json(e)).errorClass()).as(t.name()).isEqualTo(t.canonical());
    }
  }
}
