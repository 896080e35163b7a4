package dev.sandboxes.pool.internal;

import dev.sandboxes.activity.PoolActivities;
import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.pool.PoolWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.VersioningBehavior;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Duration;

/**
 * Fill, wait for a claim, fill again; a pool still short after a fill (it creates at most its
 * refill rate at once) is filled again a minute later. Continues as new every
 * {@link #ROUNDS} rounds so that its history stays short.
 */
public class PoolWorkflowImpl implements PoolWorkflow {
  /** Rounds of one run before it continues as new. */
  static final int ROUNDS = 200;
  /** How long a pool that is still short waits before its next fill: its refill rate is per minute. */
  static final Duration REFILL_WINDOW = Duration.ofMinutes(1);

  private static final RetryOptions FOREVER = RetryOptions.newBuilder()
      .setInitialInterval(Duration.ofSeconds(2)).setMaximumInterval(Duration.ofMinutes(1)).build();
  private final PoolActivities calls = Workflow.newActivityStub(PoolActivities.class,
      ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(2)).setRetryOptions(FOREVER)
          .setSummary("fill the warm pool").build());
  private final PoolActivities waits = Workflow.newActivityStub(PoolActivities.class,
      ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(11))
          .setHeartbeatTimeout(Duration.ofSeconds(30)).setRetryOptions(FOREVER)
          .setSummary("wait for a claim").build());

  private PoolStatus status;

  @Override
  public void run(String pool) {
    SandboxOwner owner = new SandboxOwner(Workflow.getInfo().getWorkflowId(),
        Workflow.getInfo().getFirstExecutionRunId());
    for (int round = 0; round < ROUNDS; round++) {
      try {
        status = calls.fill(pool, owner);
        if (status.ready() + status.starting() < status.size()) {
          Workflow.sleep(REFILL_WINDOW);
        } else {
          status = waits.awaitChange(pool);
        }
      } catch (ActivityFailure e) {
        if (e.getCause() instanceof ApplicationFailure f && SandboxErrors.NOT_FOUND.equals(f.getType())) {
          // the pool left the worker's configuration: its idle pods go, then its keeper
          calls.drain(pool);
          status = null;
          return;
        }
        throw e;
      }
    }
    Workflow.continueAsNew(pool);
  }

  @Override
  public PoolStatus status() {
    return status;
  }

  /** On a versioned worker: auto-upgrade, as it runs for as long as its pool exists. */
  public static final class Versioned extends PoolWorkflowImpl {
    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
    public void run(String pool) {
      super.run(pool);
    }
  }
}
