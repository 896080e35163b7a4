package dev.sandboxes.workflow;

import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;

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
    // on the client, Temporal's convention for plugins (its workers' factory picks it up)
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
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
