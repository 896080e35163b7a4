package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.Violation;
import dev.sandboxes.workflow.InvalidInput;
import java.util.ArrayList;
import java.util.List;
import io.temporal.workflow.Workflow;

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
  /** The change under which a request that breaks a rule (or carries an unknown field) fails the read at once. */
  static final String REFUSE_BAD_INPUT = "refuse-bad-input";

  @Override
  public ExecOutputChunk read(String sandbox, ExecOutputRequest request) {
    // a caller that bypassed the client: refused before any timer or activity, typed
    List<Violation> refused = new ArrayList<>(SandboxNames.labelViolations("sandbox", sandbox, 63));
    if (request == null) {
      refused.add(new Violation("request", "must be set"));
    } else {
      refused.addAll(UnknownFields.of(request));
      refused.addAll(request.violations());
    }
    // a run from before this change read on, and replays so
    if (!refused.isEmpty() && Workflow.getVersion(REFUSE_BAD_INPUT, Workflow.DEFAULT_VERSION, 1) >= 1) {
      InvalidInput.refuse("exec output request", refused);
    }
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
