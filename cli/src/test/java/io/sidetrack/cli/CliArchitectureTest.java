package io.sidetrack.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** What the CLI may use of the router: starting one and reading its view, not its parts. */
class CliArchitectureTest {
  private final JavaClasses cli =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.sidetrack.cli");

  @Test
  void theCliStartsARouterButUsesNoneOfItsInternals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.sidetrack.router.api..",
            "io.sidetrack.router.auth..",
            "io.sidetrack.router.preview..",
            "io.sidetrack.router.session..")
        .because(
            "the CLI runs a router through Router and RouterConfig (and reads its ClusterView);"
                + " a preview listener is configured by RouterConfig.Preview;"
                + " the laptop's end of a tunnel speaks the protocol of the tunnel module, not the"
                + " router's sessions")
        .check(cli);
  }
}
