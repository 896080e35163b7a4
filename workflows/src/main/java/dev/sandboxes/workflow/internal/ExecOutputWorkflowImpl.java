package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.ExecCalls;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.workflow.ExecOutputWorkflow;
import io.temporal.common.VersioningBehavior;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.WorkflowVersioningBehavior;

/**
 * One read: the execOutput activity, its failure passed on with its type. A sandbox that keeps no
 * exec output is an answer ({@link ExecOutputChunk#unavailable}), not a failed workflow: a client
 * that streams every exec asks it of sandboxes without the agent too.
 */
public class ExecOutputWorkflowImpl implements ExecOutputWorkflow {
  @Override
  public ExecOutputChunk read(String sandbox, ExecOutputRequest request) {
    try {
      return ExecCalls.output(request, null).execOutput(sandbox, request);
    } catch (ActivityFailure failure) {
      if (ActivityFailures.is(failure, SandboxErrors.RUNTIME_REJECTED)) {
        return ExecOutputChunk.notKept(request.offset());
      }
      throw ActivityFailures.rethrowable(failure);
    }
  }

  /**
   * For versioned workers: a read lasts seconds and calls one activity, so it may move to any
   * version. Only versioned workers register it (see {@code WorkflowTypes.register} for why).
   */
  public static final class Versioned extends ExecOutputWorkflowImpl {
    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
    public ExecOutputChunk read(String sandbox, ExecOutputRequest request) {
      return super.read(sandbox, request);
    }
  }
}
