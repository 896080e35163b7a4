package dev.sandboxes.reaper.internal;

import dev.sandboxes.activity.ReaperActivities;
import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapRequest;
import dev.sandboxes.reaper.ReaperWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.VersioningBehavior;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Duration;

/** Runs the reap activity once; a failed pass is retried a few times, then left to the next one. */
public class ReaperWorkflowImpl implements ReaperWorkflow {
  private final ReaperActivities activities = io.temporal.workflow.Workflow.newActivityStub(
      ReaperActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(10))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(2))
              .setMaximumAttempts(3).build())
          .setSummary("remove orphaned sandbox objects")
          .build());

  /** The change under which a request that breaks a rule (or carries an unknown field) fails the pass at once. */
  static final String REFUSE_BAD_INPUT = "refuse-bad-input";

  @Override
  public ReapReport run(ReapRequest request) {
    // a caller that bypassed the client: refused before the activity, typed
    java.util.List<dev.sandboxes.model.Violation> refused = new java.util.ArrayList<>();
    if (request == null) {
      refused.add(new dev.sandboxes.model.Violation("request", "must be set"));
    } else {
      refused.addAll(dev.sandboxes.model.UnknownFields.of(request));
      refused.addAll(request.violations());
    }
    // a run from before this change read on, and replays so
    if (!refused.isEmpty() && io.temporal.workflow.Workflow.getVersion(REFUSE_BAD_INPUT,
        io.temporal.workflow.Workflow.DEFAULT_VERSION, 1) >= 1) {
      dev.sandboxes.workflow.InvalidInput.refuse("reap request", refused);
    }
    return activities.reap(request);
  }

  /**
   * This workflow on a versioned worker: auto-upgrade. Its schedule starts it on the current
   * version, and a pass never keeps an old version from draining.
   *
   * <p>Only versioned workers register it (see {@code WorkflowTypes.register} for why).
   */
  public static final class Versioned extends ReaperWorkflowImpl {
    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
    public ReapReport run(ReapRequest request) {
      return super.run(request);
    }
  }
}
