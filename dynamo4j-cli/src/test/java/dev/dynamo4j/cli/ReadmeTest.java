package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dynamo4j.examples.QuickStartExample;
import dev.dynamo4j.spi.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the README honest: its library example is compiled code that runs, and its commands exist. */
class ReadmeTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static String readme() throws Exception {
    return Files.readString(ROOT.resolve("README.md"));
  }

  static String dedent(String block) {
    int min = Integer.MAX_VALUE;
    for (String l : block.split("\n")) {
      if (!l.isBlank()) {
        min = Math.min(min, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : block.split("\n")) {
      sb.append(l.isBlank() ? "" : l.substring(min)).append('\n');
    }
    return sb.toString().strip();
  }

  @Test
  void readmeShowsTheCompiledExampleVerbatim() throws Exception {
    String source = Files.readString(ROOT.resolve("dynamo4j-cli/src/test/java/dev/dynamo4j/examples/QuickStartExample.java"));
    Matcher m = Pattern.compile("// readme:begin\n(.*?)\n\\s*// readme:end", Pattern.DOTALL).matcher(source);
    assertThat(m.find()).isTrue();
    String example = dedent(m.group(1));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme());
    assertThat(block.find()).as("README has a java block").isTrue();
    assertThat(dedent(block.group(1))).isEqualTo(example);
  }

  @Test
  void theExampleRunsAndStreams() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      QuickStartExample.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactly("hello, Ada", "hello, Grace", "hello, Barbara");
  }

  @Test
  void quickStartHasExactlyTheTwoCommandsAndCiRunsTheTestOne() throws Exception {
    String readme = readme();
    Matcher qs = Pattern.compile("## Quick start\n(.*?)\n## ", Pattern.DOTALL).matcher(readme);
    assertThat(qs.find()).isTrue();
    Matcher sh = Pattern.compile("```(?:bash|sh)\n(.*?)```", Pattern.DOTALL).matcher(qs.group(1));
    List<String> commands = new ArrayList<>();
    while (sh.find()) {
      sh.group(1).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(commands::add);
    }
    assertThat(commands).containsExactly("./dynamo4j demo", "./scripts/test");
    assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("exec ./scripts/test");
  }

  @Test
  void theSettingsTableIsTheModulesOwnDeclarations() throws Exception {
    Matcher m = Pattern.compile("<!-- settings:begin -->\n(.*?)<!-- settings:end -->", Pattern.DOTALL).matcher(readme());
    assertThat(m.find()).as("README has the generated settings table").isTrue();
    assertThat(m.group(1))
        .as("README's settings table is stale: paste the output of ./dynamo4j settings --markdown")
        .isEqualTo(Settings.markdown(Settings.all()));
  }

  @Test
  void everyVariableNamedInMainCodeIsDeclared() throws Exception {
    Set<String> declared = new HashSet<>();
    Settings.all().forEach(s -> declared.add(s.name()));
    Pattern literal = Pattern.compile("\"((?:DYN|NATS|ETCD|POD)_[A-Z0-9_]+)\"");
    List<String> undeclared = new ArrayList<>();
    try (var files = Files.walk(ROOT)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/")).toList()) {
        Matcher m = literal.matcher(Files.readString(f));
        while (m.find()) {
          if (!declared.contains(m.group(1))) {
            undeclared.add(m.group(1) + " in " + ROOT.relativize(f));
          }
        }
      }
    }
    assertThat(undeclared).as("variables read without a Setting declaration").isEmpty();
  }
}
