package dev.sandboxes.samples.volumes;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Two stages that share data through a volume: a producer sandbox writes readings into it, then
 * a consumer sandbox, which sees the same files, summarises them. The volume outlives both.
 */
@WorkflowInterface
public interface VolumePipelineWorkflow {
  @WorkflowMethod
  PipelineResult run(String volume);
}
