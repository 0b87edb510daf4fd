package dev.dynamo4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of dynamo4j this class was built as (for NATS service replies, {@code dynamo4j version}). */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /** The Maven project version, or {@code 0.0.0-unknown} when the build wrote none. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/dynamo4j-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "");
      return v.isEmpty() || v.startsWith("${") ? "0.0.0-unknown" : v;
    } catch (IOException e) {
      return "0.0.0-unknown";
    }
  }
}
