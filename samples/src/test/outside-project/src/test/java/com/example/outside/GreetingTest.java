package com.example.outside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.local.LocalRuntime;
import dev.sandboxes.runtime.local.LocalRuntimeOptions;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactoryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The embedded stack as a user builds it from the README: Temporal's in-process server, the
 * sandbox plugin on the worker over the local runtime, the user's workflow on the same task
 * queue; one sandbox step runs for real.
 */
class GreetingTest {
  @Test
  void aSandboxStepRunsWithThePluginOnTheWorkerFactory() throws Exception {
    Path root = Files.createTempDirectory("outside-sandboxes-");
    try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder().root(root).build())) {
      greetOn(TestEnvironmentOptions.newBuilder()
          .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
              .setPlugins(SandboxPlugin.forRuntime(runtime)).build()));
    }
  }

  /** Temporal's convention for plugins: on the client, whose worker factories inherit it. */
  @Test
  void aSandboxStepRunsWithThePluginOnTheClient() throws Exception {
    Path root = Files.createTempDirectory("outside-sandboxes-");
    try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeOptions.newBuilder().root(root).build())) {
      greetOn(TestEnvironmentOptions.newBuilder()
          .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
              .setPlugins(SandboxPlugin.forRuntime(runtime)).build()));
    }
  }

  private static void greetOn(TestEnvironmentOptions.Builder options) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.setUseTimeskipping(false).build());
    try {
      SearchAttributeKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
      env.newWorker(TaskQueues.DEFAULT).registerWorkflowImplementationTypes(GreetingImpl.class);
      env.start();
      Greeting greeting = env.getWorkflowClient().newWorkflowStub(Greeting.class,
          WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.DEFAULT).setWorkflowId("outside-greeting").build());
      assertEquals("hello outside", greeting.greet("outside"));
    } finally {
      env.close();
    }
  }
}
