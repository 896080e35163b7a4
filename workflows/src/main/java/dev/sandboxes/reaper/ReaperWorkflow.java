package dev.sandboxes.reaper;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One pass of the orphan reaper: removes every runtime object of this project whose owner
 * workflow is closed (or gone by retention), or whose owner run is not the current chain of its
 * workflow ID, once the grace has passed. It never touches an object of an open workflow, nor
 * one without this project's label. The worker starts it from a Temporal Schedule
 * ({@link dev.sandboxes.client.ReaperClient#ensureSchedule}); {@code sandbox reap} starts one
 * pass on demand.
 */
@WorkflowInterface
public interface ReaperWorkflow {
  @WorkflowMethod(name = "SandboxReaper")
  ReapReport run(ReapRequest request);
}
