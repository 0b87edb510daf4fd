package dev.dynamo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dynamo4j on the module path (issue 18): the tests and the launcher run on the class path, so this
 * is where the module descriptors are held to what they promise at run time. The command line's
 * module graph resolves from the jars it depends on (every dynamo4j module with a descriptor of its
 * own, no split package), and {@code java -p ... -m dev.dynamo4j.cli/...} finds every module's
 * settings through the descriptors' {@code provides} and runs the demo (picocli and Jackson reach
 * the CLI's package through its {@code opens}; the multi-process demo starts its workers the same
 * way).
 */
class ModulePathTest {
  private static final Set<String> DYNAMO4J = Set.of("dev.dynamo4j.core", "dev.dynamo4j.pipeline", "dev.dynamo4j.tcp",
      "dev.dynamo4j.zmq", "dev.dynamo4j.nats", "dev.dynamo4j.etcd", "dev.dynamo4j.kubernetes", "dev.dynamo4j.cli");
  private static Map<String, ResolvedModule> resolved;

  @BeforeAll
  static void resolveTheCommandLinesModules() {
    List<Path> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      try {
        if (Files.exists(p) && !ModuleFinder.of(p).findAll().isEmpty()) {
          entries.add(p);
        }
      } catch (FindException notAModule) {
        // a test-only jar the module system cannot name; the command line needs none of them
      }
    }
    Configuration cf = ModuleLayer.boot().configuration()
        .resolve(ModuleFinder.of(entries.toArray(Path[]::new)), ModuleFinder.of(), Set.of("dev.dynamo4j.cli"));
    resolved = new TreeMap<>(cf.modules().stream().collect(Collectors.toMap(ResolvedModule::name, m -> m)));
  }

  @Test
  void everyDynamo4jModuleResolvesWithADescriptorOfItsOwn() {
    assertThat(resolved.keySet()).containsAll(DYNAMO4J);
    for (String name : DYNAMO4J) {
      assertThat(resolved.get(name).reference().descriptor().isAutomatic()).as(name + " is an automatic module").isFalse();
    }
    // core reaches its internals to dynamo4j's modules only, and each it names exists
    var core = resolved.get("dev.dynamo4j.core").reference().descriptor();
    core.exports().stream().filter(e -> e.isQualified()).flatMap(e -> e.targets().stream())
        .forEach(t -> assertThat(t).startsWith("dev.dynamo4j.").isIn(allModuleNames()));
  }

  @Test
  void theCommandLineRunsFromTheModulePath(@TempDir Path dir) throws Exception {
    String settings = runOnModulePath(dir, "settings");
    // one variable from each module's SettingsProvider, found through its descriptor's provides
    assertThat(settings).contains("DYN_REQUEST_PLANE ", "DYN_TCP_", "DYN_ZMQ_", "NATS_SERVER ", "ETCD_ENDPOINTS ", "POD_NAME", "DYN_LOG ");
    String demo = runOnModulePath(dir, "demo", "--in-process");
    assertThat(demo).contains("tokens in", "dynamo4j demo: finished");
  }

  private static Set<String> allModuleNames() {
    Set<String> names = new HashSet<>(Set.of("dev.dynamo4j.testkit", "dev.dynamo4j.bench"));
    names.addAll(DYNAMO4J);
    return names;
  }

  private static String runOnModulePath(Path dir, String... args) throws Exception {
    String modulePath = resolved.values().stream()
        .map(m -> Path.of(m.reference().location().orElseThrow()).toString())
        .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-p", modulePath, "-m", "dev.dynamo4j.cli/dev.dynamo4j.cli.Main"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("DYN_FILE_KV", dir.resolve("kv").toString());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", args) + " did not finish in 120 s: " + Files.readString(out));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", args) + ": " + text).isZero();
    return text;
  }
}
