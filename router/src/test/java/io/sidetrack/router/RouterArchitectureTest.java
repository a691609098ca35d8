package io.sidetrack.router;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.sidetrack.router.preview.PreviewLinks;
import org.junit.jupiter.api.Test;

/** The router's structure: no back-references to its composition root, no package cycles. */
class RouterArchitectureTest {
  private final JavaClasses router =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.sidetrack.router");

  @Test
  void thePackagesOfTheRouterFormNoCycle() {
    // "io.sidetrack.(**)": one slice per package of the router, its root package included
    // ("io.sidetrack.router.(**)" would leave out the root, where Router lives)
    slices().matching("io.sidetrack.(**)").should().beFreeOfCycles().check(router);
  }

  @Test
  void onlyTheCompositionRootRefersToRouter() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(Router.class.getName())
        .and()
        .resideInAPackage("io.sidetrack.router..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(Router.class.getName())
        .because(
            "Router builds the parts and passes each the narrow dependencies it needs; a part that"
                + " calls back into it is a service locator and an import cycle")
        .check(router);
  }

  @Test
  void theRouterDoesNotDependOnTheCli() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sidetrack.cli..")
        .because("the laptop's end of the tunnel lives in the cli, which depends on the router")
        .check(router);
  }

  @Test
  void thePreviewsKnowNothingOfTheRestOfTheRouter() {
    noClasses()
        .that()
        .resideInAPackage("io.sidetrack.router.preview..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.sidetrack.router",
            "io.sidetrack.router.session..",
            "io.sidetrack.router.cluster..",
            "io.sidetrack.router.api..",
            "io.sidetrack.router.auth..")
        .because(
            "Router hands the preview package plain values (the domain, the upstreams, a token"
                + " check); pass a narrow value or interface instead of a router part")
        .check(router);
  }

  @Test
  void sessionsSeePreviewsOnlyThroughPreviewLinks() {
    noClasses()
        .that()
        .resideInAPackage("io.sidetrack.router.session..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("io.sidetrack.router.preview..")
                .and(
                    DescribedPredicate.not(
                        HasName.Predicates.nameStartingWith(PreviewLinks.class.getName()))))
        .because(
            "a tunnel session asks for its intercept's link and reports its end through"
                + " PreviewLinks; the registry, the proxy and the sign-in are the listener's")
        .check(router);
  }
}
