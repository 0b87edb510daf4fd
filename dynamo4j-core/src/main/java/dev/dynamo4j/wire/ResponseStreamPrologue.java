package dev.dynamo4j.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dynamo4j.error.DynamoError;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first frame of a response stream, header-only JSON: {@code {"error":null}} when the
 * worker's engine accepted the request, {@code {"error":"<text>","typed_error":{...}}} when it
 * failed before streaming. {@code typed_error} is omitted when {@code null}; on read an unknown
 * legacy {@code error_type} decodes as no typed error (rolling upgrades).
 */
public record ResponseStreamPrologue(String error, DynamoError typedError) {
  public static final String FORMAT = "ResponseStreamPrologue";
  public static final ResponseStreamPrologue OK = new ResponseStreamPrologue(null, null);

  public boolean isError() {
    return error != null;
  }

  public byte[] toJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeFieldName("error");
          if (error == null) {
            g.writeNull();
          } else {
            g.writeString(error);
          }
          if (typedError != null) {
            g.writeFieldName("typed_error");
            DynamoErrorJson.write(g, typedError);
          }
          g.writeEndObject();
        });
  }

  private static final byte[] OK_JSON = "{\"error\":null}".getBytes(StandardCharsets.US_ASCII);

  public TwoPartMessage toFrame() {
    return TwoPartMessage.headerOnly(this.equals(OK) ? OK_JSON.clone() : toJson());
  }

  public static ResponseStreamPrologue fromJson(byte[] json) {
    if (Arrays.equals(json, OK_JSON)) {
      return OK; // what every worker sends on success; anything else is parsed
    }
    JsonNode n = Json.parseObject(FORMAT, json);
    String err = Json.optionalText(FORMAT, n, "error");
    return new ResponseStreamPrologue(err, DynamoErrorJson.readPrologueTypedError(n.get("typed_error")));
  }

  /** Decodes the prologue frame; anything but a header-only frame is malformed. */
  public static ResponseStreamPrologue fromFrame(TwoPartMessage frame) {
    if (!frame.isHeaderOnly()) {
      throw new WireFormatException(FORMAT, "malformed prologue: expected HeaderOnly ControlMessage");
    }
    return fromJson(frame.header());
  }
}
