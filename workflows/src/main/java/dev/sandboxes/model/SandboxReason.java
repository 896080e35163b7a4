package dev.sandboxes.model;

import java.util.Optional;

/**
 * The reasons the project itself gives a sandbox's phase, with their stable wire names (the
 * {@code reason} of {@link SandboxStatus} and {@link RuntimeState}, as clients, the CLI and
 * other languages read them). A status's reason may also be the platform's own word (e.g.
 * {@code ErrImagePull}, {@code OOMKilled}) or a failure's type (e.g. {@code SandboxNameConflict}):
 * those stay strings; code never compares a reason string where one of these is meant.
 */
public enum SandboxReason {
  /** Queued: the platform refused the create for quota; the workflow retries it with backoff. */
  QUOTA_EXCEEDED("QuotaExceeded"),
  /** Queued: a mounted volume is not ready yet; the workflow waits for it, then creates. */
  VOLUME_PENDING("VolumePending"),
  /** Failed: the spec broke a rule (the message names the fields). */
  INVALID_SPEC("InvalidSpec"),
  /** Failed: still queued after the schedule timeout. */
  SCHEDULE_TIMEOUT("ScheduleTimeout"),
  /** Failed: still creating after the startup timeout. */
  STARTUP_TIMEOUT("StartupTimeout"),
  /** Failed: the runtime object disappeared while the sandbox was alive. */
  SANDBOX_LOST("SandboxLost"),
  /** Failed: an activity failed without a typed cause. */
  ACTIVITY_FAILED("ActivityFailed"),
  /** Terminated on request (a caller's terminate). */
  TERMINATE_REQUESTED("TerminateRequested"),
  /** Terminated: the sandbox reached its TTL. */
  TTL_EXPIRED("TTLExpired"),
  /** Terminated: the sandbox's workflow (or its owner's) was cancelled. */
  CANCELLED("Cancelled"),
  /** Failed: the local runtime's worker restarted and lost the sandbox's process. */
  WORKER_RESTARTED("WorkerRestarted"),
  /**
   * Running, but the last exec found the sandbox's in-sandbox agent not answering (the message
   * says what failed); cleared by the next exec that gets through.
   */
  AGENT_UNAVAILABLE("AgentUnavailable"),
  /**
   * Terminated: the sandbox's workflow was terminated outside the sandbox API (for example with
   * {@code temporal workflow terminate}), which runs none of its code: what the sandbox owned is
   * left to the reaper.
   */
  WORKFLOW_TERMINATED("WorkflowTerminated"),
  /** Terminated: the sandbox's workflow passed its execution or run timeout, set by whoever started it. */
  WORKFLOW_TIMED_OUT("WorkflowTimedOut"),
  /** Failed: the sandbox's workflow failed before the sandbox reached a terminal phase. */
  WORKFLOW_FAILED("WorkflowFailed");

  private final String wireName;

  SandboxReason(String wireName) {
    this.wireName = wireName;
  }

  /** The spelling on the wire and in statuses, e.g. {@code QuotaExceeded}. */
  public String wireName() {
    return wireName;
  }

  /** Whether {@code reason} (a status's reason string, may be null) is this one. */
  public boolean is(String reason) {
    return wireName.equals(reason);
  }

  /** The project's reason spelled {@code reason}, empty for the platform's own and for null. */
  public static Optional<SandboxReason> of(String reason) {
    for (SandboxReason r : values()) {
      if (r.is(reason)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
