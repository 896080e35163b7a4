package dev.sandboxes.determinism;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The determinism rules of {@link WorkflowDeterminismRules}, run over one module's production
 * classes. Subclasses name one production class of the module and say which classes must (not) be
 * workflow code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class WorkflowDeterminismContract {
  protected JavaClasses classes;
  protected DescribedPredicate<JavaClass> workflowCode;

  /** Any production class of the module to check: its classes directory is what gets checked. */
  protected abstract Class<?> moduleClass();

  @BeforeAll
  void importClasses() {
    classes = WorkflowDeterminismRules.productionClasses(moduleClass());
    workflowCode = WorkflowDeterminismRules.workflowCode(classes);
  }

  protected void assertWorkflowCode(Class<?>... expected) {
    assertThat(Stream.of(expected).map(classes::get)).allMatch(workflowCode);
  }

  protected void assertNotWorkflowCode(Class<?>... expected) {
    assertThat(Stream.of(expected).map(classes::get)).noneMatch(workflowCode);
  }

  @Test
  void workflowCodeReadsNoWallClock() {
    WorkflowDeterminismRules.noWallClock(workflowCode).check(classes);
  }

  @Test
  void workflowCodeDrawsNoUnseededRandomness() {
    WorkflowDeterminismRules.noRandomness(workflowCode).check(classes);
  }

  @Test
  void workflowCodeStartsNoThreadsAndBlocksOnNoMonitor() {
    WorkflowDeterminismRules.noThreadsOrBlocking(workflowCode).check(classes);
  }

  @Test
  void workflowCodeReadsNoHostEnvironment() {
    WorkflowDeterminismRules.noHostEnvironment(workflowCode).check(classes);
  }

  @Test
  void workflowCodeDoesNoIO() {
    WorkflowDeterminismRules.noIO(workflowCode).check(classes);
  }

  @Test
  void workflowCodeKeepsNoMutableStaticState() {
    WorkflowDeterminismRules.noMutableStaticState(workflowCode).check(classes);
  }

  @Test
  void workflowCodeReachesThePlatformOnlyThroughActivityStubs() {
    WorkflowDeterminismRules.noActivityOrPlatformDependencies(workflowCode).check(classes);
  }

  @Test
  void workflowCodeBuildsNoHashOrderedCollections() {
    WorkflowDeterminismRules.noHashOrderedCollections(workflowCode).check(classes);
  }
}
