package dev.dynamo4j.cli;

import dev.dynamo4j.spi.config.Setting;
import dev.dynamo4j.spi.config.Settings;
import dev.dynamo4j.spi.config.SettingsProvider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dynamo4j settings}: every environment variable the modules read, from their own declarations. */
@Command(
    name = "settings",
    mixinStandardHelpOptions = true,
    description = {
      "Every environment variable dynamo4j reads: its default, whether it is Dynamo's or dynamo4j's own, the module",
      "that reads it and what it does. The list comes from the modules' own declarations, so it is complete for the",
      "modules on the class path; the README's settings table is this command's --markdown output.",
      "With --current, also the value each variable has in this environment (secrets shown as ***)."
    })
final class SettingsCommand implements Callable<Integer> {
  /** The CLI's own variable. */
  static final Setting<String> LOG = Setting.oursIn("dynamo4j-cli").text("DYN_LOG", null,
      "debug: the CLI prints the stack trace of a failure and library logs on stderr.");

  /** Registers the CLI's variables. */
  public static final class Provider implements SettingsProvider {
    @Override
    public List<Setting<?>> settings() {
      return List.of(LOG);
    }
  }

  @Option(names = "--markdown", description = "Print a Markdown table (what the README shows).")
  boolean markdown;

  @Option(names = "--current", description = "Show the value each variable has in this environment.")
  boolean current;

  @Parameters(arity = "0..*", paramLabel = "FILTER", description = "Only variables whose name contains one of these (case-insensitive), e.g. TLS.")
  List<String> filters;

  @Override
  public Integer call() {
    List<Setting<?>> all = Settings.all().stream().filter(this::matches).toList();
    if (markdown) {
      System.out.print(Settings.markdown(all));
      return 0;
    }
    if (!current) {
      System.out.print(Settings.text(all));
      return 0;
    }
    Map<String, String> env = System.getenv();
    for (Setting<?> s : all) {
      String v = env.get(s.name());
      String shown = v == null || v.isBlank() ? "(unset; default " + s.defaultText() + ")" : secret(s.name()) ? "***" : v;
      System.out.println(s.name() + "=" + shown);
    }
    return 0;
  }

  private boolean matches(Setting<?> s) {
    if (filters == null || filters.isEmpty()) {
      return true;
    }
    for (String f : filters) {
      if (s.name().toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  private static boolean secret(String name) {
    return name.contains("PASSWORD") || name.contains("TOKEN") || name.contains("SECRET") || name.contains("NKEY");
  }
}
