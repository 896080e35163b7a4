package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.registry.WorkflowTypes;
import dev.sandboxes.workflow.SandboxLimits;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Temporal test server for a test of workflows against their activities in memory: before
 * each test it starts with the project's search attributes and one worker on the default task
 * queue running every workflow type (and {@code moreWorkflows}) over {@code activities}; after
 * it, it closes. Register it as an instance field: {@code @RegisterExtension final InMemory
 * temporal = new InMemory(List.of(), fake);}.
 */
public final class InMemory implements BeforeEachCallback, AfterEachCallback {
  private static final Duration WATCH_SLICE = Duration.ofMillis(200);

  private final List<Class<?>> moreWorkflows;
  private final Object[] activities;
  private TestWorkflowEnvironment env;

  public InMemory(List<Class<?>> moreWorkflows, Object... activities) {
    this.moreWorkflows = moreWorkflows;
    this.activities = activities;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    env = unstarted(moreWorkflows, activities);
    env.start();
  }

  /** The environment this extension starts, not started yet: a test may act before any worker polls. */
  static TestWorkflowEnvironment unstarted(List<Class<?>> moreWorkflows, Object... activities) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(TaskQueues.DEFAULT);
    WorkflowTypes.register(worker, SandboxLimits.defaults(), false);
    moreWorkflows.forEach(worker::registerWorkflowImplementationTypes);
    worker.registerActivitiesImplementations(activities);
    return env;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    env.close();
  }

  public TestWorkflowEnvironment env() {
    return env;
  }

  public WorkflowClient client() {
    return env.getWorkflowClient();
  }

  /**
   * A watching activity in memory, called holding {@code monitor}: reads the object's state
   * (which throws when the object is gone) until {@code changed} holds, waiting on the monitor a
   * short while between reads and heartbeating, so that a watch the workflow cancelled learns it
   * as the real one does.
   */
  static <T> T awaitChange(Object monitor, Supplier<T> read, Predicate<T> changed) {
    while (true) {
      T state = read.get();
      if (changed.test(state)) {
        return state;
      }
      try {
        monitor.wait(WATCH_SLICE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Activity.wrap(e);
      }
      Activity.getExecutionContext().heartbeat(null);
    }
  }
}
