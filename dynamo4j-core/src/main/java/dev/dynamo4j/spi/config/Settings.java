package dev.dynamo4j.spi.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Every {@link Setting} the modules on the class path declare ({@link SettingsProvider}s, core's
 * among them), sorted by name: what {@code ./dynamo4j settings} prints and the README's settings
 * table is generated from.
 */
public final class Settings {
  private Settings() {}

  /** The variable that names the request plane; its valid values are the modules' (see {@link Settings#choices}). */
  public static final String REQUEST_PLANE_VARIABLE = "DYN_REQUEST_PLANE";
  /** The variable that names the event plane. */
  public static final String EVENT_PLANE_VARIABLE = "DYN_EVENT_PLANE";
  /** The variable that names the discovery backend. */
  public static final String DISCOVERY_BACKEND_VARIABLE = "DYN_DISCOVERY_BACKEND";


  /**
   * @throws IllegalStateException when two modules declare the same variable (a build mistake)
   */
  public static List<Setting<?>> all() {
    List<Setting<?>> out = new ArrayList<>();
    Map<String, Setting<?>> seen = new HashMap<>();
    for (SettingsProvider p : ServiceLoader.load(SettingsProvider.class, Settings.class.getClassLoader())) {
      for (Setting<?> s : p.settings()) {
        Setting<?> before = seen.putIfAbsent(s.name(), s);
        if (before != null) {
          throw new IllegalStateException(s.name() + " is declared twice: by " + before.module() + " and by " + s.module());
        }
        out.add(s);
      }
    }
    out.sort(Comparator.comparing(Setting::name));
    return out;
  }

  /**
   * The values the modules on the class path offer for {@code variable} ({@link
   * SettingsProvider#choices()}), sorted and distinct; empty when none does.
   */
  public static List<String> choices(String variable) {
    TreeSet<String> out = new TreeSet<>();
    for (SettingsProvider p : ServiceLoader.load(SettingsProvider.class, Settings.class.getClassLoader())) {
      out.addAll(p.choices().getOrDefault(variable, List.of()));
    }
    return List.copyOf(out);
  }

  /** A Markdown table of {@code settings}: variable, default, whose (Dynamo's or ours), module, what it does. */
  public static String markdown(List<Setting<?>> settings) {
    StringBuilder b = new StringBuilder();
    b.append("| variable | default | | module | what it does |\n|---|---|---|---|---|\n");
    for (Setting<?> s : settings) {
      b.append("| `").append(s.name()).append("` | ").append(cell(s.defaultText())).append(" | ").append(s.ours() ? "ours" : "Dynamo's")
          .append(" | ").append(s.module().replace("dynamo4j-", "")).append(" | ").append(cell(s.description())).append(" |\n");
    }
    return b.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  /** Plain text for a terminal: one block per setting. */
  public static String text(List<Setting<?>> settings) {
    StringBuilder b = new StringBuilder();
    for (Setting<?> s : settings) {
      b.append(s.name()).append("  (default ").append(s.defaultText()).append("; ").append(s.ours() ? "dynamo4j's own" : "Dynamo's")
          .append(", ").append(s.module()).append(")\n    ").append(s.description()).append("\n");
    }
    return b.toString();
  }
}
