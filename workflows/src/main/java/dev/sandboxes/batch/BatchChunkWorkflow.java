package dev.sandboxes.batch;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** One chunk of a batch, {@code batch/<name>/<k>}: runs its items, returns their counts. */
@WorkflowInterface
public interface BatchChunkWorkflow {
  /**
   * Runs items {@code [from, to)} of the request, at most its parallelism at a time, and returns
   * their counts with state {@code succeeded} when every item succeeded, else {@code failed}. With
   * fail-fast the first item that fails for good stops the others.
   */
  @WorkflowMethod(name = "BatchChunk")
  BatchProgress run(ChunkRequest request);

  /**
   * The chunk's counts so far ({@code running} includes items waiting for a retry; {@code chunks}
   * is 0); also after the chunk closed.
   */
  @QueryMethod
  BatchProgress progress();

  /** The results of the items that have one, in index order; also after the chunk closed. */
  @QueryMethod
  ItemResults results();
}
