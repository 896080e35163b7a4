package dev.sandboxes.samples.cancel;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Runs several long sandboxes and waits for all of them. Cancelling it terminates every one of
 * them, and it reports cancelled only once they have all been cleaned up.
 */
@WorkflowInterface
public interface LongJobsWorkflow {
  /** Returns the sandboxes' names once they all finish (after {@code seconds}, unless cancelled). */
  @WorkflowMethod
  List<String> run(int count, int seconds);

  /** The sandboxes that have reached running, in start order. */
  @QueryMethod
  List<String> running();
}
