package dev.sandboxes.samples;

import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.List;

/**
 * The quickstart: an in-process Temporal server, a worker with the sandbox plugin over the
 * local runtime (processes under bubblewrap when it is installed), and a workflow that fans out
 * a few sandboxes through the author API. Needs no cluster and no Temporal server.
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) {
    List<String> inputs = args.length > 0 ? List.of(args) : List.of("alpha", "beta", "gamma", "fail");
    try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeOptions.defaults())) {
      TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
          .setUseTimeskipping(false)
          .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setPlugins(SandboxPlugin.forRuntime(runtime)).build())
          .build());
      SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
      env.newWorker(TaskQueues.DEFAULT).registerWorkflowImplementationTypes(FanOutWorkflowImpl.class);
      env.start();
      FanOutWorkflow workflow = env.getWorkflowClient().newWorkflowStub(FanOutWorkflow.class,
          WorkflowOptions.newBuilder().setWorkflowId("quickstart-fan-out")
              .setTaskQueue(TaskQueues.DEFAULT).build());
      System.out.println("sandboxes on the " + runtime.kind() + " runtime, one per input:");
      workflow.run(inputs).forEach(System.out::println);
      env.close();
    }
  }
}
