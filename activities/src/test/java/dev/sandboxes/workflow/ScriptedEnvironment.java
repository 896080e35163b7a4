package dev.sandboxes.workflow;

import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactoryOptions;

/** The Temporal test environment the workflow tests share: the plugin over a scripted runtime. */
final class ScriptedEnvironment {
  private ScriptedEnvironment() {}

  /** Started, with the project's search attributes and a worker on the default task queue. */
  static TestWorkflowEnvironment start(ScriptedRuntime runtime, Class<?>... extraWorkflows) {
    return start(runtime, SandboxLimits.defaults(), extraWorkflows);
  }

  /** Started like {@link #start(ScriptedRuntime, Class[])}, with the worker's sandbox limits. */
  static TestWorkflowEnvironment start(ScriptedRuntime runtime, SandboxLimits limits,
      Class<?>... extraWorkflows) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
            .setPlugins(SandboxPlugin.forRuntime(runtime, java.util.Set.of(), limits)).build())
        .build());
    SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    var worker = env.newWorker(TaskQueues.DEFAULT);
    if (extraWorkflows.length > 0) {
      worker.registerWorkflowImplementationTypes(extraWorkflows);
    }
    env.start();
    return env;
  }
}
