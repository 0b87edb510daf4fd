package dev.dynamo4j.pipeline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The pipeline module builds on core's engine and error vocabulary only (issue 18): no runtime,
 * transport, discovery or internal type, so a pipeline composes in one JVM and crosses processes
 * only through endpoints a user serves and calls.
 */
class PipelineDependenciesTest {
  private static final JavaClasses PIPELINE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.dynamo4j.pipeline");

  @Test
  void pipelineUsesOnlyCoresEngineAndErrors() {
    classes().that().resideInAPackage("dev.dynamo4j.pipeline..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "dev.dynamo4j.pipeline..", "dev.dynamo4j.engine..", "dev.dynamo4j.error..", "java..")
        .check(PIPELINE);
  }
}
