package dev.sandboxes.batch;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** One chunk of a batch, {@code batch/<name>/<k>}: runs its items, returns their counts. */
@WorkflowInterface
public interface BatchChunkWorkflow {
  @WorkflowMethod(name = "BatchChunk")
  BatchProgress run(ChunkRequest request);

  @QueryMethod
  BatchProgress progress();

  /** The results of the items that have one, in index order; also after the chunk closed. */
  @QueryMethod
  ItemResults results();
}
