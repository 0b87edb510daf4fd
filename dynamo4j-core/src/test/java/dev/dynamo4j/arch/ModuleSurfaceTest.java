package dev.dynamo4j.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What core's module descriptor shows (issue 18): its internal packages go only to dynamo4j's own
 * modules (or to none), every other package is exported, and the packages a component's author uses hold
 * fewer than 30 public types. Read from the compiled {@code module-info.class}, so the rule is
 * the one the compiler enforces on the other modules.
 */
class ModuleSurfaceTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.dynamo4j");

  private static ModuleDescriptor descriptor() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  @Test
  void internalPackagesGoOnlyToDynamo4jsModulesAndEveryOtherPackageIsExportedToAll() throws Exception {
    ModuleDescriptor d = descriptor();
    assertThat(d.name()).isEqualTo("dev.dynamo4j.core");
    for (ModuleDescriptor.Exports e : d.exports()) {
      if (e.source().startsWith("dev.dynamo4j.internal")) {
        assertThat(e.isQualified()).as(e.source()).isTrue();
        assertThat(e.targets()).as(e.source()).allMatch(t -> t.startsWith("dev.dynamo4j."));
      } else {
        assertThat(e.isQualified()).as(e.source()).isFalse();
      }
    }
    Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    // internal packages core alone uses (internal.config) are not exported at all
    assertThat(exported).containsAll(d.packages().stream().filter(p -> !p.startsWith("dev.dynamo4j.internal")).toList());
  }

  @Test
  void aComponentsAuthorSeesFewerThan30PublicTypes() throws Exception {
    Set<String> api = new TreeSet<>();
    for (ModuleDescriptor.Exports e : descriptor().exports()) {
      String p = e.source();
      if (e.isQualified() || p.startsWith("dev.dynamo4j.spi.") || p.equals("dev.dynamo4j.wire")) {
        continue; // internal, or what plug-in authors implement and read
      }
      for (JavaClass c : CORE) {
        if (c.getPackageName().equals(p) && c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC)) {
          api.add(c.getSimpleName());
        }
      }
    }
    // the runtime, engine, errors, config, discovery records, events, metrics and status
    assertThat(api).hasSizeLessThan(30).contains("DistributedRuntime", "Client", "Endpoint", "AsyncEngine", "RuntimeConfig");
    System.out.println("core API types (" + api.size() + "): " + api);
  }

  @Test
  void noPublicSignatureOfTheApiNamesAnInternalType() {
    List<String> leaks = CORE.stream()
        .filter(c -> !c.getPackageName().startsWith("dev.dynamo4j.internal") && c.getModifiers().contains(JavaModifier.PUBLIC))
        .flatMap(c -> c.getMethods().stream())
        .filter(m -> m.getModifiers().contains(JavaModifier.PUBLIC))
        .filter(m -> m.getRawReturnType().getPackageName().startsWith("dev.dynamo4j.internal")
            || m.getRawParameterTypes().stream().anyMatch(t -> t.getPackageName().startsWith("dev.dynamo4j.internal")))
        .map(m -> m.getFullName())
        .sorted().toList();
    assertThat(leaks).isEmpty();
  }
}
