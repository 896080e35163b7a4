package dev.sandboxes.batch;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A batch, {@code batch/<name>}: runs its items in chunks (child workflows
 * {@code batch/<name>/<k>}, each at most a few hundred items, so every history stays small), one
 * chunk at a time with the batch's parallelism inside it. Returns the final counts; item results
 * live in the chunks ({@link BatchChunkWorkflow#results()}). Cancelling it terminates every running
 * item's sandbox.
 */
@WorkflowInterface
public interface BatchWorkflow {
  /**
   * Runs the batch's items chunk by chunk and returns the final counts. A spec without a name takes
   * the workflow ID's; one that breaks a rule, or whose name is not the workflow ID's, fails the
   * workflow with type {@code InvalidSandboxSpec}.
   */
  @WorkflowMethod(name = "Batch")
  BatchProgress run(BatchRequest request);

  /** Counts of the chunks that finished; the running chunk reports its own (see BatchClient). */
  @QueryMethod
  BatchProgress progress();

  /** The index of the chunk running now, or -1. */
  @QueryMethod
  int currentChunk();
}
