package dev.dynamo4j.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Core's packages form layers, no cycle among any two of them (issue 18; each package is its own
 * slice, {@code spi.*} and {@code internal.*} included): {@code error} and {@code wire} at the
 * bottom, settings and {@code RuntimeConfig} above them, then key-value stores, discovery (with
 * {@code EndpointId}, {@code Instance}, {@code TransportType}), {@code engine}, the request and
 * event planes, {@code metrics}, {@code status}, and {@code runtime} on top, which only the
 * application uses.
 */
class PackageCyclesTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.dynamo4j");

  @Test
  void corePackagesHaveNoCycle() {
    slices().matching("dev.dynamo4j.(**)").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void nothingBelowRuntimeDependsOnIt() {
    noClasses()
        .that().resideOutsideOfPackage("dev.dynamo4j.runtime..")
        .should().dependOnClassesThat().resideInAPackage("dev.dynamo4j.runtime..")
        .check(CORE);
  }
}
