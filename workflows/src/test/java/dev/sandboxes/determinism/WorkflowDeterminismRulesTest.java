package dev.sandboxes.determinism;

import static dev.sandboxes.determinism.WorkflowDeterminismRules.all;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noActivityOrPlatformDependencies;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noHashOrderedCollections;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noHostEnvironment;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noIO;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noMutableStaticState;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noRandomness;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noThreadsOrBlocking;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.noWallClock;
import static dev.sandboxes.determinism.WorkflowDeterminismRules.workflowCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.sandboxes.determinism.fixtures.DeterministicWorkflowImpl;
import dev.sandboxes.determinism.fixtures.FixtureActivitiesImpl;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule family fails on the fixture that breaks it, naming the offending member, and on no
 * other fixture; the deterministic fixture passes all of them.
 */
class WorkflowDeterminismRulesTest {
  static final String FIXTURES = "dev.sandboxes.determinism.fixtures.";
  static final JavaClasses classes = new ClassFileImporter().importPackages("dev.sandboxes.determinism.fixtures");
  static final DescribedPredicate<JavaClass> code = workflowCode(classes);

  @Test
  void aClockReadIsCaughtAlsoThroughAMethodReferenceAndInAClassTheWorkflowUses() {
    assertCatches(noWallClock(code), List.of("ClockReadingWorkflowImpl", "Stamps"),
        "ClockReadingWorkflowImpl.run(java.lang.String)> calls method <java.lang.System.currentTimeMillis()>",
        "ClockReadingWorkflowImpl.run(java.lang.String)> references method <java.time.Instant.now()>",
        "Stamps.today()> calls method <java.time.LocalDate.now()>");
  }

  @Test
  void unseededRandomnessIsCaught() {
    assertCatches(noRandomness(code), List.of("RandomWorkflowImpl"),
        "RandomWorkflowImpl.run(java.lang.String)> calls constructor <java.util.Random.<init>()>",
        "RandomWorkflowImpl.run(java.lang.String)> calls method <java.lang.Math.random()>",
        "RandomWorkflowImpl.run(java.lang.String)> calls method <java.util.UUID.randomUUID()>");
  }

  @Test
  void threadsFuturesParallelStreamsAndMonitorsAreCaught() {
    assertCatches(noThreadsOrBlocking(code), List.of("ThreadingWorkflowImpl"),
        "ThreadingWorkflowImpl.run(java.lang.String)> calls method <java.lang.Thread.sleep(long)>",
        "ThreadingWorkflowImpl.run(java.lang.String)> calls method "
            + "<java.util.concurrent.CompletableFuture.supplyAsync(",
        "ThreadingWorkflowImpl.run(java.lang.String)> calls method <java.util.List.parallelStream()>",
        "ThreadingWorkflowImpl.locked()> has modifier SYNCHRONIZED");
  }

  @Test
  void readingTheHostEnvironmentIsCaught() {
    assertCatches(noHostEnvironment(code), List.of("EnvironmentReadingWorkflowImpl"),
        "EnvironmentReadingWorkflowImpl.run(java.lang.String)> calls method <java.lang.System.getenv(",
        "EnvironmentReadingWorkflowImpl.run(java.lang.String)> calls method <java.lang.System.getProperty(");
  }

  @Test
  void fileIOIsCaught() {
    assertCatches(noIO(code), List.of("FileReadingWorkflowImpl"),
        "FileReadingWorkflowImpl.run(java.lang.String)> calls method <java.nio.file.Files.readString(");
  }

  @Test
  void aNonFinalStaticFieldIsCaught() {
    assertCatches(noMutableStaticState(code), List.of("StaticCounterWorkflowImpl"),
        "StaticCounterWorkflowImpl.runs> does not have modifier FINAL");
  }

  @Test
  void usingAnActivityImplementationOrAClientIsCaught() {
    assertCatches(noActivityOrPlatformDependencies(code), List.of("ActivityCallingWorkflowImpl"),
        "ActivityCallingWorkflowImpl.run(java.lang.String)> calls constructor <"
            + FixtureActivitiesImpl.class.getName() + ".<init>()>",
        "ActivityCallingWorkflowImpl.client> has type <dev.sandboxes.client.SandboxClient>");
  }

  @Test
  void buildingAHashOrderedCollectionIsCaught() {
    assertCatches(noHashOrderedCollections(code), List.of("HashOrderWorkflowImpl"),
        "HashOrderWorkflowImpl.run(java.lang.String)> calls constructor <java.util.HashMap.<init>()>",
        "HashOrderWorkflowImpl.run(java.lang.String)> calls method <java.util.stream.Collectors.toSet()>");
  }

  @Test
  void theDeterministicWaysPassEveryRule() {
    assertThat(classes.get(DeterministicWorkflowImpl.class)).matches(code::test);
    assertThat(violations(all(code)))
        .isNotEmpty()
        .noneMatch(line -> line.contains(DeterministicWorkflowImpl.class.getName()));
  }

  @Test
  void anActivityImplementationIsNotWorkflowCodeEvenWhenAWorkflowUsesIt() {
    assertThat(classes.get(FixtureActivitiesImpl.class)).matches(code.negate()::test);
    assertThat(violations(all(code)))
        .noneMatch(line -> line.startsWith("Method <" + FixtureActivitiesImpl.class.getName()));
  }

  /**
   * The rule fails with every one of {@code offences} in its message, and reports violations only
   * in the {@code culprits} (fixture classes by simple name).
   */
  private static void assertCatches(ArchRule rule, List<String> culprits, String... offences) {
    assertThatThrownBy(() -> rule.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContainingAll(offences);
    assertThat(violations(List.of(rule)))
        .allMatch(line -> culprits.stream().anyMatch(culprit -> line.contains("<" + FIXTURES + culprit + ".")));
  }

  private static List<String> violations(List<ArchRule> rules) {
    return rules.stream()
        .flatMap(rule -> rule.evaluate(classes).getFailureReport().getDetails().stream())
        .toList();
  }
}
