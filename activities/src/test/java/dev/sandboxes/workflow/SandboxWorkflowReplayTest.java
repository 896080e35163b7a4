package dev.sandboxes.workflow;

import dev.sandboxes.workflow.internal.SandboxWorkflowImpl;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded history (create → running → exec → terminate) against the current
 * workflow code: a change that would break running sandboxes fails here. After an intended,
 * versioned change, record a new one with
 * {@code -Dtest=SandboxWorkflowTest#oneSandboxWithOneExecCostsTwelveActions
 * -Dsandboxes.recordHistory=src/test/resources/histories/sandbox-exec-terminate.json}.
 */
class SandboxWorkflowReplayTest {
  @Test
  void recordedHistoryReplaysWithoutNonDeterminism() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/sandbox-exec-terminate.json", SandboxWorkflowImpl.class);
  }
}
