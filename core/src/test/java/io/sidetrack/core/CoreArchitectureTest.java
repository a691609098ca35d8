package io.sidetrack.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class CoreArchitectureTest {
  private final JavaClasses core =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.sidetrack.core");

  @Test
  void coreDoesNoIo() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "io.vertx..",
            "org.apache.avro..",
            "java.net..",
            "java.io..",
            "java.nio.file..")
        .because(
            "the core holds rules only; move I/O to the module that owns it (registry-stream,"
                + " edge-agent, router, cli) and pass plain values in")
        .check(core);
  }
}
