package dev.sandboxes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.sandboxes.activity.SandboxActivitiesImpl;
import dev.sandboxes.determinism.WorkflowDeterminismRules;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.worker.WorkerApplication;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No package of {@code dev.sandboxes} depends on itself through other packages: every package is
 * its own slice ({@code batch} and {@code batch.internal} are two), and the dependencies between
 * the slices form no cycle. Checked over the production classes of the workflows, activities and
 * worker modules, which are all on this module's test classpath (the samples build on them and
 * are not). The same classes may reach Temporal's test server from one class only, the CLI's
 * fallback server, since the production worker jar leaves it out.
 */
class PackageCyclesTest {
  /** Test jars of other modules (the worker's tests use the workflows test jar) are test code too. */
  static final ImportOption DO_NOT_INCLUDE_TEST_JARS =
      location -> !location.matches(Pattern.compile(".*-tests\\.jar!.*"));

  static final JavaClasses classes = new ClassFileImporter()
      .withImportOption(new ImportOption.DoNotIncludeTests())
      .withImportOption(DO_NOT_INCLUDE_TEST_JARS)
      .importPackages("dev.sandboxes");

  static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.sandboxes.(**)")
      .should().beFreeOfCycles()
      .because("a package is a unit to read, test and move on its own; a cycle makes its packages one");

  @Test
  void thePackagesOfTheWorkflowsActivitiesAndWorkerModulesFormNoCycle() {
    packagesAreFreeOfCycles.check(classes);
  }

  @Test
  void noClassLivesInDevSandboxesItselfWhereNoSliceWouldSeeIt() {
    noClasses().should().resideInAPackage("dev.sandboxes")
        .because("a class there is in no slice, so a cycle through it would go unnoticed")
        .check(classes);
  }

  @Test
  void onlyTheClisInProcessServerTouchesTemporalsTestServer() {
    // the production worker jar (sandbox-worker.jar) leaves the test server out; a class that
    // needs it elsewhere would fail there at run time
    noClasses().that().doNotHaveFullyQualifiedName("dev.sandboxes.cli.InProcessTemporal")
        .should().dependOnClassesThat().resideInAnyPackage("io.temporal.testserver..", "io.temporal.testing..")
        .because("the production worker jar carries no Temporal test server")
        .check(classes);
  }

  @Test
  void theCheckSeesTheProductionClassesOfEachModuleAndNoTestClass() {
    assertThat(classes.contain(SandboxSpec.class)).as("workflows").isTrue();
    assertThat(classes.contain(SandboxActivitiesImpl.class)).as("activities").isTrue();
    assertThat(classes.contain(WorkerApplication.class)).as("worker").isTrue();
    assertThat(classes.contain(PackageCyclesTest.class)).as("this test").isFalse();
    assertThat(classes.contain(WorkflowDeterminismRules.class)).as("the workflows test jar").isFalse();
  }
}
