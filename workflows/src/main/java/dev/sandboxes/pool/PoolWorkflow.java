package dev.sandboxes.pool;

import dev.sandboxes.model.PoolStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The keeper of one warm pool ({@code pool/<name>}): fills it to its size, waits until a sandbox
 * claims a pod or one ends, and fills it again, for as long as the worker's configuration has
 * the pool. The worker starts one per configured pool; a pool removed from the configuration is
 * drained (its idle pods deleted) and its keeper ends. Its pods are owned by it, so the orphan
 * reaper removes what a keeper that ended without draining left behind.
 */
@WorkflowInterface
public interface PoolWorkflow {
  @WorkflowMethod(name = "SandboxPool")
  void run(String pool);

  /** The pool's counts as its keeper last saw them (null before its first fill). */
  @QueryMethod
  PoolStatus status();
}
