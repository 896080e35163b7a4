package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.ExecCalls;
import dev.sandboxes.activity.SandboxActivities;
import dev.sandboxes.model.ExecRequest;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * The sandbox workflow's activity stubs, one per kind of call ({@link PlatformCalls}): short
 * control calls, the create a cancellation waits for, reads for a waiting caller, the
 * heartbeating watch, and one stub per exec.
 *
 * @param control create (histories before the settled create), delete, log capture
 * @param settledCreate the create since {@link SandboxChanges#SETTLED_CREATE}
 * @param reads logs for a caller
 * @param watch waits for the next phase or for volumes
 */
record SandboxCalls(SandboxActivities control, SandboxActivities settledCreate, SandboxActivities reads,
    SandboxActivities watch) {
  static SandboxCalls create() {
    return new SandboxCalls(
        Workflow.newActivityStub(SandboxActivities.class, PlatformCalls.control(Duration.ofMinutes(2))),
        Workflow.newActivityStub(SandboxActivities.class, PlatformCalls.settled(Duration.ofMinutes(2))),
        Workflow.newActivityStub(SandboxActivities.class, PlatformCalls.reads(Duration.ofMinutes(1))),
        Workflow.newActivityStub(SandboxActivities.class, PlatformCalls.watch("wait for the next phase")));
  }

  /** A stub for one exec: never retried, bounded by the command's timeout plus a minute. */
  static SandboxActivities exec(ExecRequest request) {
    return Workflow.newActivityStub(SandboxActivities.class,
        PlatformCalls.once(request.effectiveTimeout().plus(Duration.ofMinutes(1))).toBuilder()
            // The activity heartbeats while the command runs: a dead worker shows in seconds.
            .setHeartbeatTimeout(ExecCalls.EXEC_HEARTBEAT_TIMEOUT)
            .setSummary("exec " + String.join(" ", request.argv()))
            .build());
  }
}
