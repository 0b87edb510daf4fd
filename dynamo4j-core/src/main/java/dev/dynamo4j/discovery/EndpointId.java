package dev.dynamo4j.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The identity of an endpoint: full dotted namespace, component and endpoint name.
 *
 * <p>{@link #parse} accepts Dynamo's forms: an optional {@code dyn://} scheme, parts separated by
 * {@code .} or {@code /} (mixed allowed), missing parts defaulting to {@code NS}, {@code C},
 * {@code E}; one part is the component; more than three parts join the rest with {@code _} as
 * the endpoint name ({@code ns.comp.ep.other.parts} gives {@code ep_other_parts}).
 */
public record EndpointId(String namespace, String component, String name) {
  public static final String SCHEME = "dyn://";

  public EndpointId {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(name, "name");
  }

  public static EndpointId parse(String input) {
    String s = input.startsWith(SCHEME) ? input.substring(SCHEME.length()) : input;
    s = trim(s);
    List<String> parts = new ArrayList<>();
    for (String p : s.split("[./]")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    return switch (parts.size()) {
      case 0 -> new EndpointId("NS", "C", "E");
      case 1 -> new EndpointId("NS", parts.get(0), "E");
      case 2 -> new EndpointId(parts.get(0), parts.get(1), "E");
      case 3 -> new EndpointId(parts.get(0), parts.get(1), parts.get(2));
      default -> new EndpointId(parts.get(0), parts.get(1), String.join("_", parts.subList(2, parts.size())));
    };
  }

  private static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && " /.".indexOf(s.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && " /.".indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(start, end);
  }

  /** {@code dyn://ns.comp.ep} */
  public String asUrl() {
    return SCHEME + namespace + "." + component + "." + name;
  }

  /** {@code ns/comp/ep} */
  public String asPath() {
    return namespace + "/" + component + "/" + name;
  }

  @Override
  public String toString() {
    return asPath();
  }
}
