package dev.sandboxes.cli.demo;

import dev.sandboxes.cli.SandboxCommand;
import dev.sandboxes.determinism.WorkflowDeterminismContract;
import dev.sandboxes.worker.WorkerApplication;
import dev.sandboxes.worker.WorkerConfiguration;
import org.junit.jupiter.api.Test;

/** The determinism rules over the worker module, whose only workflow is the CLI's demo. */
class DemoDeterminismTest extends WorkflowDeterminismContract {
  @Override
  protected Class<?> moduleClass() {
    return WorkerApplication.class;
  }

  @Test
  void workflowCodeIsTheDemoWorkflowNotTheCommandsOrTheWorker() {
    assertWorkflowCode(DemoWorkflowImpl.class);
    assertNotWorkflowCode(SandboxCommand.class, WorkerConfiguration.class);
  }
}
