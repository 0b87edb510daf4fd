package dev.dynamo4j.network;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.util.Locale;

/** How a client picks an instance; spelled as Dynamo's {@code RouterMode} (snake_case). */
public enum RouterMode {
  ROUND_ROBIN("round_robin"),
  RANDOM("random"),
  POWER_OF_TWO_CHOICES("power_of_two_choices"),
  LEAST_LOADED("least_loaded"),
  /** The caller names the instance ({@code Client.direct}). */
  DIRECT("direct");

  private final String wire;

  RouterMode(String wire) {
    this.wire = wire;
  }

  public String wireName() {
    return wire;
  }

  /** @throws DynamoException {@code InvalidArgument} naming the valid modes */
  public static RouterMode parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    for (RouterMode m : values()) {
      if (m.wire.equals(t)) {
        return m;
      }
    }
    throw new DynamoException(
        ErrorType.InvalidArgument,
        "unknown router mode '" + s + "'; valid: round_robin, random, power_of_two_choices, least_loaded, direct");
  }
}
