package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.Violation;
import dev.sandboxes.workflow.SandboxLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one sandbox's life, without Temporal: what each event does to its phase, reason
 * and message, and the status that results. {@link SandboxWorkflowImpl} feeds it the events
 * (what the runtime observed, a failed activity, a terminate, a timer that fired) with the
 * workflow's clock, and publishes the phase after each one. Tested as a table in
 * {@code SandboxLifecycleTest}.
 *
 * <p>A terminal phase is final: observations that arrive after it change nothing.
 */
final class SandboxLifecycle {
  /** What a create's answer asks of the workflow next. */
  enum AfterCreate {
    /** The sandbox is on its way (or ended): follow its phase. */
    FOLLOW,
    /** Queued until its volumes are ready: wait for them, then create again. */
    AWAIT_VOLUMES,
    /** Queued because the platform refused it for quota: create again after a backoff. */
    RETRY_FOR_QUOTA
  }

  private String name;
  private SandboxSpec spec;
  private SandboxPhase phase = SandboxPhase.QUEUED;
  private String reason;
  private String message;
  private Integer exitCode;
  private Instant createdAt;
  private Instant startedAt;
  private Instant finishedAt;
  private RuntimeRef ref;
  private int execCount;
  private SandboxReason terminateReason;
  private String terminateMessage;

  /**
   * A sandbox not yet begun: queued, with no name or spec. An update the server delivers with
   * the workflow's first task runs before the workflow method, and may already ask for a
   * termination or wait for a phase.
   */
  SandboxLifecycle() {}

  /** Begins a new sandbox, queued since {@code now}. */
  void begin(String name, SandboxSpec spec, Instant now) {
    this.name = name;
    this.spec = spec;
    createdAt = now;
  }

  /** Begins where continue-as-new carried the sandbox, as its previous run left it. */
  void resume(String name, SandboxSpec spec, SandboxStatus s) {
    this.name = name;
    this.spec = spec;
    phase = s.phase();
    reason = s.reason();
    message = s.message();
    exitCode = s.exitCode();
    createdAt = s.createdAt();
    startedAt = s.startedAt();
    finishedAt = s.finishedAt();
    ref = s.ref();
    execCount = s.execCount();
  }

  /**
   * What is wrong with a sandbox named {@code name} started as workflow {@code workflowId}: the
   * spec's own rules, then the worker's limits, then the name against the ID (the ID is what
   * makes names unique: a mismatch would let two sandboxes share a pod name). Empty when valid.
   */
  static List<Violation> violations(SandboxSpec spec, SandboxLimits limits, String name,
      String workflowId) {
    List<Violation> violations = new ArrayList<>(spec.violations());
    if (violations.isEmpty()) {
      violations.addAll(limits.violations(spec));
    }
    String idName = WorkflowIds.sandboxNameOf(workflowId);
    if (name == null) {
      violations.add(new Violation("name", "must be set when the workflow ID is not "
          + WorkflowIds.SANDBOX_ID_PREFIX + "<name>"));
    } else if (idName != null && !idName.equals(name)) {
      violations.add(new Violation("name", "must match the workflow ID "
          + WorkflowIds.sandboxWorkflowId(name) + ", got " + workflowId));
    }
    return violations;
  }

  SandboxPhase phase() {
    return phase;
  }

  String reason() {
    return reason;
  }

  String message() {
    return message;
  }

  Instant createdAt() {
    return createdAt;
  }

  /** The runtime object to clean up, once a create returned one. */
  RuntimeRef ref() {
    return ref;
  }

  // --- events -------------------------------------------------------------------------------

  /** The spec broke a rule: failed, {@code InvalidSpec}. */
  void rejected(String text, Instant now) {
    enter(SandboxPhase.FAILED, SandboxReason.INVALID_SPEC.wireName(), text, now);
  }

  /**
   * What the runtime observed. False, and nothing changes, once the sandbox is terminal. A
   * running sandbox whose runtime gave no start time started now.
   */
  boolean observed(RuntimeState state, Instant now) {
    if (phase.terminal()) {
      return false;
    }
    exitCode = state.exitCode();
    if (state.ref() != null) {
      ref = state.ref();
    }
    if (state.startedAt() != null) {
      startedAt = state.startedAt();
    } else if (state.phase() == SandboxPhase.RUNNING && startedAt == null) {
      startedAt = now;
    }
    if (state.finishedAt() != null) {
      finishedAt = state.finishedAt();
    }
    enter(state.phase(), state.reason(), state.message(), now);
    return true;
  }

  /** What the workflow does after a create answered and was {@link #observed}. */
  AfterCreate afterCreate() {
    if (phase != SandboxPhase.QUEUED) {
      return AfterCreate.FOLLOW;
    }
    if (SandboxReason.VOLUME_PENDING.is(reason)) {
      return AfterCreate.AWAIT_VOLUMES;
    }
    return SandboxReason.QUOTA_EXCEEDED.is(reason) ? AfterCreate.RETRY_FOR_QUOTA : AfterCreate.FOLLOW;
  }

  /** A create answered after a cancel: keep what it made, so that cleanup deletes it. */
  void madeDespiteCancel(RuntimeRef made) {
    if (made != null) {
      ref = made;
    }
  }

  /**
   * A stage's activity failed for good: failed, with the failure's type as the reason
   * ({@code ActivityFailed} without one) and {@code "<stage> failed: <detail>"} as the message.
   */
  void stageFailed(String stage, String failureType, String detail, Instant now) {
    enter(SandboxPhase.FAILED, failureType != null ? failureType : SandboxReason.ACTIVITY_FAILED.wireName(),
        stage + " failed: " + detail, now);
  }

  /** The runtime object disappeared while the sandbox was alive: failed, {@code SandboxLost}. */
  void lost(String detail, Instant now) {
    enter(SandboxPhase.FAILED, SandboxReason.SANDBOX_LOST.wireName(),
        "the sandbox's runtime object disappeared: " + detail, now);
  }

  /**
   * The timed phase {@code timed} lasted {@code limit}: failed, {@code ScheduleTimeout} (queued)
   * or {@code StartupTimeout} (creating); the message keeps the platform's last word.
   */
  void timedOut(SandboxPhase timed, Duration limit, Instant now) {
    String last = reason == null && message == null ? ""
        : ": " + (reason == null ? "" : reason) + (reason != null && message != null ? " " : "")
            + (message == null ? "" : message);
    SandboxReason why = timed == SandboxPhase.QUEUED ? SandboxReason.SCHEDULE_TIMEOUT
        : SandboxReason.STARTUP_TIMEOUT;
    enter(SandboxPhase.FAILED, why.wireName(), "still " + timed.wireName() + " after " + limit + last, now);
  }

  /**
   * Asks the sandbox to stop, for {@code cause} with the caller's {@code text}. The first request
   * wins; a terminal sandbox ignores it.
   */
  void requestTermination(SandboxReason cause, String text) {
    if (!phase.terminal() && terminateReason == null) {
      terminateReason = cause;
      terminateMessage = text == null || text.isBlank() ? null : text;
    }
  }

  /** Whether a termination was requested. */
  boolean terminationRequested() {
    return terminateReason != null;
  }

  /**
   * Terminated, for the requested cause; without a request, for the TTL when
   * {@code ttlExpired}, else as requested by nobody in particular ({@code TerminateRequested}).
   */
  void terminated(boolean ttlExpired, Instant now) {
    if (terminateReason == null && ttlExpired) {
      requestTermination(SandboxReason.TTL_EXPIRED, "the sandbox reached its ttl of " + spec.ttl());
    }
    enter(SandboxPhase.TERMINATED,
        (terminateReason == null ? SandboxReason.TERMINATE_REQUESTED : terminateReason).wireName(),
        terminateMessage, now);
  }

  /** Cleanup failed for good: the pod may remain until its deadline; the message says so. */
  void cleanupFailed(String why) {
    message = (message == null ? "" : message + "; ") + "cleanup failed: " + why;
  }

  /**
   * An exec failed because the sandbox's agent does not answer: a running sandbox says so (its
   * reason and message) until an exec gets through again ({@link #agentAnswered}).
   */
  void agentUnavailable(String detail) {
    if (phase == SandboxPhase.RUNNING) {
      reason = SandboxReason.AGENT_UNAVAILABLE.wireName();
      message = "an exec could not reach the sandbox's agent: " + detail;
    }
  }

  /** An exec got through: a running sandbox no longer says its agent is unavailable. */
  void agentAnswered() {
    if (phase == SandboxPhase.RUNNING && SandboxReason.AGENT_UNAVAILABLE.is(reason)) {
      reason = null;
      message = null;
    }
  }

  /** One more exec was accepted. */
  void execAccepted() {
    execCount++;
  }

  private void enter(SandboxPhase next, String why, String text, Instant now) {
    reason = why;
    message = text;
    phase = next;
    if (next.terminal() && finishedAt == null) {
      finishedAt = now;
    }
  }

  SandboxStatus status() {
    return new SandboxStatus(name, spec.image(), phase, reason, message, exitCode, createdAt,
        startedAt, finishedAt, ref, spec.tags(), execCount);
  }
}
