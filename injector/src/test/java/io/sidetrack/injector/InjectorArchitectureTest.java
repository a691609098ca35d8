package io.sidetrack.injector;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The patcher and the AdmissionReview answer are pure; only the webhook package does I/O. */
@Timeout(30)
class InjectorArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.sidetrack.injector");

  @Test
  void thePatcherDoesNoIo() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.sidetrack.injector.webhook..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..",
            "io.sidetrack.router..",
            "java.net..",
            "java.nio.file..",
            "java.nio.channels..")
        .because(
            "sidetrack inject and the webhook share the patcher, which is pure JSON in, JSON out")
        .check(classes);
  }
}
