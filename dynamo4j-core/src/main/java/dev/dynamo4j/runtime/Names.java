package dev.dynamo4j.runtime;

import dev.dynamo4j.error.DynamoException;
import dev.dynamo4j.error.ErrorType;
import java.util.regex.Pattern;

/** Name rules: namespace and component names match {@code ^[a-z0-9-_]+$}. */
final class Names {
  private Names() {}

  static final Pattern NAME = Pattern.compile("^[a-z0-9-_]+$");

  static String validate(String kind, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new DynamoException(
          ErrorType.InvalidArgument,
          "invalid " + kind + " name '" + name + "': must match ^[a-z0-9-_]+$ (lower-case letters, digits, '-' and '_')");
    }
    return name;
  }

  /**
   * Endpoint names are not restricted by Dynamo; we only refuse the empty name and {@code /},
   * which would break the discovery key {@code ns/comp/ep/<id>}.
   */
  static String validateEndpoint(String name) {
    if (name == null || name.isEmpty() || name.indexOf('/') >= 0) {
      throw new DynamoException(ErrorType.InvalidArgument, "invalid endpoint name '" + name + "': must be non-empty and contain no '/'");
    }
    return name;
  }
}
