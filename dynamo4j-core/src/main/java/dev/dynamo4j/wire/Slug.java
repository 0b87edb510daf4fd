package dev.dynamo4j.wire;

import java.util.Locale;

/**
 * Dynamo's slugs (NATS service and stream names): lower-case, keep {@code [a-z0-9-_]}, every
 * other character becomes {@code _}, then leading {@code _} are stripped.
 */
public final class Slug {
  private Slug() {}

  public static String slugify(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(lower.length());
    lower.codePoints()
        .forEach(
            cp -> {
              boolean keep = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-' || cp == '_';
              sb.append(keep ? (char) cp : '_');
            });
    int start = 0;
    while (start < sb.length() && sb.charAt(start) == '_') {
      start++;
    }
    return sb.substring(start);
  }

  /** True when {@code s} is already a valid slug ({@code [a-z0-9-_]} only, not empty). */
  public static boolean isValid(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
}
