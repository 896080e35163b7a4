package dev.sandboxes.workflow.internal;

import dev.sandboxes.Conventions;
import dev.sandboxes.Conventions.SearchAttributes;
import dev.sandboxes.activity.CreateSandboxRequest;
import dev.sandboxes.activity.SandboxActivities;
import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.Violation;
import dev.sandboxes.workflow.SandboxLimits;
import dev.sandboxes.workflow.SandboxPresentation;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.SandboxWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The life of one sandbox: create its runtime object, follow its phase by watching (through
 * heartbeating activities), serve exec/logs/terminate, and on every way out capture its logs
 * and delete it. Cleanup after cancellation runs in a detached scope, so a cancelled sandbox
 * never leaks its pod.
 *
 * <p>Durable timers bound the phases before {@code running}: a sandbox still {@code queued}
 * after its schedule timeout fails with reason {@link #SCHEDULE_TIMEOUT}, one still
 * {@code creating} after its startup timeout with {@link #STARTUP_TIMEOUT}; the message keeps
 * the platform's last word (e.g. the scheduler's {@code Insufficient cpu}). The timeouts come
 * from the spec or else the worker's {@link SandboxLimits}, which also bound the TTL.
 */
public class SandboxWorkflowImpl implements SandboxWorkflow {
  /** Log lines kept after the pod is gone, and their total size. */
  static final int CAPTURE_TAIL = 1000;
  static final int CAPTURE_MAX_CHARS = 256 * 1024;
  /** Updates served by one run before it continues as new (the server allows 2000). */
  static final int DEFAULT_UPDATES_PER_RUN = 500;
  static final Duration QUOTA_BACKOFF_FIRST = Duration.ofSeconds(5);
  static final Duration QUOTA_BACKOFF_MAX = Duration.ofMinutes(1);
  static final String QUOTA_EXCEEDED = "QuotaExceeded";
  /** Reason of a sandbox that stayed queued longer than its schedule timeout. */
  public static final String SCHEDULE_TIMEOUT = "ScheduleTimeout";
  /** Reason of a sandbox that stayed creating longer than its startup timeout. */
  public static final String STARTUP_TIMEOUT = "StartupTimeout";
  /** The change that added the phase timers; histories recorded before it replay without them. */
  static final String PHASE_TIMEOUTS_CHANGE = "phase-timeouts";
  /** How soon a dead worker is noticed during an exec (the exec activity heartbeats meanwhile). */
  static final Duration EXEC_HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);

  private static final Logger log = Workflow.getLogger(SandboxWorkflowImpl.class);

  /** Platform calls: retried with backoff from 1 s to 30 s until the platform answers. */
  static final RetryOptions PLATFORM_RETRY = RetryOptions.newBuilder()
      .setInitialInterval(Duration.ofSeconds(1))
      .setBackoffCoefficient(2)
      .setMaximumInterval(Duration.ofSeconds(30))
      .build();

  /** Create, delete and log capture: short calls, retried until the platform answers. */
  private final SandboxActivities control = Workflow.newActivityStub(SandboxActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(PLATFORM_RETRY)
          .build());

  /** Reads on behalf of a caller who is waiting: a few attempts, then the caller hears why. */
  private final SandboxActivities reads = Workflow.newActivityStub(SandboxActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(PLATFORM_RETRY.toBuilder().setMaximumAttempts(3).build())
          .build());

  /** Long waits for the next phase; the heartbeat timeout notices a dead worker. */
  private final SandboxActivities watch = Workflow.newActivityStub(SandboxActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(15))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(PLATFORM_RETRY.toBuilder().setMaximumInterval(Duration.ofSeconds(10)).build())
          .setSummary("wait for the next phase")
          .build());

  private final SandboxLimits limits;
  private SandboxRequest request;
  private SandboxSpec spec;
  private int updatesPerRun;
  private String name;
  private boolean notifyParent;
  private boolean parentNotified;

  private SandboxPhase phase = SandboxPhase.QUEUED;
  private String reason;
  private String message;
  private Integer exitCode;
  private Instant createdAt;
  private Instant startedAt;
  private Instant finishedAt;
  private RuntimeRef ref;
  private int execCount;

  private String upsertedPhase;
  private boolean identityUpserted;
  private int updatesThisRun;
  private String terminateReason;
  private String terminateMessage;
  private boolean skipCleanup;
  private boolean cleanedUp;
  private LogChunk captured;
  private Promise<Void> ttlTimer;
  private int phaseTimeoutsVersion = Workflow.DEFAULT_VERSION;
  private SandboxPhase timedPhase;
  private Duration timedFor;
  private Promise<Void> phaseTimer;
  /** Phase timers start once the first create answered: a sandbox running at once costs none. */
  private boolean createAnswered;

  /** With the default {@link SandboxLimits}. */
  public SandboxWorkflowImpl() {
    this(SandboxLimits.defaults());
  }

  /** With a worker's limits (registered through a workflow implementation factory). */
  public SandboxWorkflowImpl(SandboxLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public SandboxResult run(SandboxRequest request) {
    this.request = request;
    spec = request.spec();
    updatesPerRun = request.updatesPerRun() == null ? DEFAULT_UPDATES_PER_RUN : request.updatesPerRun();
    notifyParent = request.notifyParent();
    String idName = Conventions.sandboxNameOf(Workflow.getInfo().getWorkflowId());
    name = spec.name() != null ? spec.name() : idName;
    SandboxStatus carried = request.carried();
    // Starters set phase=queued, image and tags (SandboxPresentation); continue-as-new keeps
    // the attributes. Not read back from Workflow.getTypedSearchAttributes(): replay from a
    // recorded history does not restore them, and the decision to upsert must replay alike.
    upsertedPhase = carried == null ? SandboxPhase.QUEUED.wireName() : carried.phase().wireName();
    phaseTimeoutsVersion = Workflow.getVersion(PHASE_TIMEOUTS_CHANGE, Workflow.DEFAULT_VERSION, 1);
    if (carried != null) {
      restore(carried);
    } else {
      createdAt = now();
      rejectInvalid();
      setPhase(SandboxPhase.QUEUED);
    }
    if (spec.ttl() != null) {
      Duration left = Duration.between(now(), createdAt.plus(spec.ttl()));
      ttlTimer = Workflow.newTimer(left.isNegative() ? Duration.ZERO : left);
    }
    try {
      if (carried == null) {
        createSandbox();
      }
      followUntilTerminal();
      if (!phase.terminal()) {
        Workflow.continueAsNew(request.continued(status()));
      }
    } catch (CanceledFailure e) {
      requestTermination("Cancelled", "the sandbox workflow was cancelled");
      Workflow.newDetachedCancellationScope(() -> {
        finish();
        // A cancelled workflow closes without its return value: hand the result to the
        // parent (the author API) by signal, and to clients through the result query.
        if (notifyParent) {
          notifyParentOf(result());
        }
      }).run();
      return returned();
    }
    finish();
    return returned();
  }

  /** The result as {@code run} returns it: trimmed when the request asks for few lines. */
  private SandboxResult returned() {
    SandboxResult full = result();
    Integer lines = request.resultLines();
    if (lines == null) {
      return full;
    }
    List<LogLine> all = full.logs().lines();
    List<LogLine> kept = new ArrayList<>();
    int bytes = 0;
    for (int i = all.size() - 1; i >= 0 && kept.size() < lines; i--) {
      int size = all.get(i).text().length();
      if (bytes + size > SandboxRequest.RESULT_BYTES) {
        break;
      }
      bytes += size;
      kept.add(0, all.get(i));
    }
    return new SandboxResult(full.status(),
        new LogChunk(kept, full.logs().truncated() || kept.size() < all.size()));
  }

  // --- stages -------------------------------------------------------------------------------

  private void rejectInvalid() {
    List<Violation> violations = new ArrayList<>(spec.violations());
    if (violations.isEmpty()) {
      violations.addAll(limits.violations(spec));
    }
    String idName = Conventions.sandboxNameOf(Workflow.getInfo().getWorkflowId());
    if (name == null) {
      violations.add(new Violation("name", "must be set when the workflow ID is not "
          + Conventions.SANDBOX_ID_PREFIX + "<name>"));
    } else if (idName != null && !idName.equals(name)) {
      // The ID is what makes names unique: a mismatch would let two sandboxes share a pod name.
      violations.add(new Violation("name", "must match the workflow ID "
          + Conventions.sandboxWorkflowId(name) + ", got " + Workflow.getInfo().getWorkflowId()));
    }
    if (!violations.isEmpty()) {
      String text = "invalid sandbox spec: "
          + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
      reason = "InvalidSpec";
      message = text;
      setPhase(SandboxPhase.FAILED);
      throw ApplicationFailure.newNonRetryableFailure(text, SandboxErrors.INVALID_SPEC);
    }
  }

  private void createSandbox() {
    SandboxOwner owner = new SandboxOwner(
        Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getFirstExecutionRunId());
    SandboxSpec named = spec.name() == null ? spec.withName(name) : spec;
    Duration backoff = QUOTA_BACKOFF_FIRST;
    while (true) {
      try {
        apply(control.create(new CreateSandboxRequest(named, owner)));
        if (!createAnswered) {
          createAnswered = true;
          armPhaseTimer(phase);
        }
      } catch (ActivityFailure failure) {
        ApplicationFailure cause = applicationCause(failure);
        // Another owner's pod must never be touched: no log capture, no delete.
        skipCleanup = cause != null && SandboxErrors.NAME_CONFLICT.equals(cause.getType());
        failWith(failure, "create");
        return;
      }
      if (phase == SandboxPhase.QUEUED && SandboxActivities.VOLUME_PENDING.equals(reason)) {
        if (!awaitVolumes()) {
          return;
        }
        continue;
      }
      if (phase != SandboxPhase.QUEUED || !QUOTA_EXCEEDED.equals(reason)) {
        return;
      }
      // Quota has no watch to wait on: retry the create with backoff, as a durable timer.
      if (Workflow.await(backoff, () -> mustStop() || phaseTimedOut())) {
        return;
      }
      backoff = backoff.multipliedBy(2).compareTo(QUOTA_BACKOFF_MAX) > 0 ? QUOTA_BACKOFF_MAX
          : backoff.multipliedBy(2);
    }
  }

  /**
   * Waits (watching, through a heartbeating activity) until the sandbox's volumes are ready.
   * False when the sandbox must not be created after all: it was terminated, or a volume is
   * gone or failed (then the sandbox has failed).
   */
  private boolean awaitVolumes() {
    while (true) {
      List<Promise<Boolean>> ready = new ArrayList<>(1);
      CancellationScope scope = Workflow.newCancellationScope(
          () -> ready.add(Async.function(watch::awaitVolumes, spec.volumeMounts())));
      scope.run();
      Workflow.await(() -> ready.get(0).isCompleted() || mustStop() || phaseTimedOut());
      if (!ready.get(0).isCompleted()) {
        scope.cancel();
        return false;
      }
      try {
        if (ready.get(0).get()) {
          return true;
        }
      } catch (ActivityFailure failure) {
        failWith(failure, "create");
        return false;
      }
    }
  }

  private void followUntilTerminal() {
    while (!phase.terminal()) {
      if (mustStop()) {
        setTerminated();
        return;
      }
      if (phaseTimedOut()) {
        failTimedOut();
        return;
      }
      if (continueAsNewWanted()) {
        Workflow.await(() -> Workflow.isEveryHandlerFinished() || mustStop());
        if (!mustStop()) {
          return;
        }
        continue;
      }
      List<Promise<RuntimeState>> change = new ArrayList<>(1);
      CancellationScope scope = Workflow.newCancellationScope(
          () -> change.add(Async.function(watch::awaitChange, name, phase)));
      scope.run();
      Workflow.await(() -> change.get(0).isCompleted() || mustStop() || phaseTimedOut()
          || continueAsNewWanted());
      if (!change.get(0).isCompleted()) {
        scope.cancel();
        continue;
      }
      try {
        apply(change.get(0).get());
      } catch (ActivityFailure failure) {
        ApplicationFailure cause = applicationCause(failure);
        if (cause != null && SandboxErrors.NOT_FOUND.equals(cause.getType())) {
          reason = "SandboxLost";
          message = "the sandbox's runtime object disappeared: " + cause.getOriginalMessage();
          setPhase(SandboxPhase.FAILED);
        } else {
          failWith(failure, "watch");
        }
      }
    }
  }

  /** Captures the logs and deletes the runtime object; runs on every way out. */
  private void finish() {
    if (!phase.terminal()) {
      setTerminated();
    }
    if (!skipCleanup && ref != null) {
      captured = captureLogs();
      try {
        control.delete(name);
      } catch (ActivityFailure failure) {
        // Retryable errors are retried forever; this is a non-retryable one (e.g. RBAC).
        log.error("sandbox {}: delete failed, pod may remain until its deadline: {}", name,
            failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage());
        message = (message == null ? "" : message + "; ") + "cleanup failed: "
            + (failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage());
      }
    }
    if (captured == null) {
      captured = LogChunk.empty();
    }
    cleanedUp = true;
    Workflow.await(Workflow::isEveryHandlerFinished);
  }

  private LogChunk captureLogs() {
    try {
      return bound(reads.logs(name, LogRequest.lastLines(CAPTURE_TAIL)));
    } catch (ActivityFailure failure) {
      log.warn("sandbox {}: could not capture logs: {}", name, failure.getMessage());
      return LogChunk.empty();
    }
  }

  /** Keeps the newest lines that fit in {@link #CAPTURE_MAX_CHARS}. */
  static LogChunk bound(LogChunk chunk) {
    List<LogLine> lines = chunk.lines();
    int total = 0;
    int from = lines.size();
    while (from > 0 && total + lines.get(from - 1).text().length() <= CAPTURE_MAX_CHARS) {
      from--;
      total += lines.get(from).text().length();
    }
    return from == 0 ? chunk : new LogChunk(lines.subList(from, lines.size()), true);
  }

  // --- handlers -----------------------------------------------------------------------------

  @Override
  public SandboxStatus describe() {
    return status();
  }

  @Override
  public SandboxResult result() {
    return new SandboxResult(status(), captured == null ? LogChunk.empty() : captured);
  }

  // Validators throw the model's exceptions: the SDK reports a validator's rejection with the
  // exception's class as its type (an ApplicationFailure's own type is not kept), and clients
  // map those classes back (SandboxErrors.typeOf).
  @Override
  public void validateExec(ExecRequest request) {
    request.validated();
    if (phase != SandboxPhase.RUNNING || mustStop()) {
      throw new SandboxNotRunningException(name, "exec", phase);
    }
  }

  @Override
  public ExecResult exec(ExecRequest request) {
    updatesThisRun++;
    execCount++;
    SandboxActivities once = Workflow.newActivityStub(SandboxActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(request.effectiveTimeout().plus(Duration.ofMinutes(1)))
            // The activity heartbeats while the command runs: a dead worker shows in seconds.
            .setHeartbeatTimeout(EXEC_HEARTBEAT_TIMEOUT)
            // Running a command twice is not harmless: exec is never retried.
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .setSummary("exec " + String.join(" ", request.argv()))
            .build());
    try {
      return once.exec(name, request);
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof TimeoutFailure timeout) {
        throw ApplicationFailure.newNonRetryableFailure("exec " + String.join(" ", request.argv())
            + " in sandbox \"" + name + "\": the worker running it stopped answering ("
            + (timeout.getTimeoutType() == io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT
                ? "no heartbeat for " + EXEC_HEARTBEAT_TIMEOUT.toSeconds() + "s"
                : "no result within the exec's time limit")
            + "), so the command's outcome is unknown: it may or may not have run; the sandbox is "
            + "still usable", SandboxErrors.EXEC_OUTCOME_UNKNOWN);
      }
      throw rethrowable(failure);
    } finally {
      Workflow.setCurrentDetails(SandboxPresentation.currentDetails(status()));
    }
  }

  @Override
  public void validateLogs(LogRequest request) {
    request.validated();
  }

  @Override
  public LogChunk logs(LogRequest request) {
    updatesThisRun++;
    if (captured != null) {
      return captured.select(request);
    }
    if (ref == null) {
      return LogChunk.empty();
    }
    try {
      return reads.logs(name, request);
    } catch (ActivityFailure failure) {
      ApplicationFailure cause = applicationCause(failure);
      if (cause != null && SandboxErrors.NOT_FOUND.equals(cause.getType())) {
        Workflow.await(() -> captured != null);
        return captured.select(request);
      }
      throw rethrowable(failure);
    }
  }

  @Override
  public SandboxStatus awaitRunning(Duration timeout) {
    updatesThisRun++;
    Workflow.await(timeout, () -> phase == SandboxPhase.RUNNING || phase.terminal());
    return status();
  }

  @Override
  public SandboxStatus terminate(String why) {
    updatesThisRun++;
    requestTermination("TerminateRequested", why);
    Workflow.await(() -> cleanedUp);
    return status();
  }

  // --- state --------------------------------------------------------------------------------

  private void requestTermination(String cause, String text) {
    if (!phase.terminal() && terminateReason == null) {
      terminateReason = cause;
      terminateMessage = text == null || text.isBlank() ? null : text;
    }
  }

  /** Whether the sandbox must stop: termination was requested or its TTL passed. No side effects. */
  private boolean mustStop() {
    return terminateReason != null || ttlExpired();
  }

  private boolean ttlExpired() {
    return ttlTimer != null && ttlTimer.isCompleted();
  }

  /** Whether the phase that is timed has lasted longer than its timeout. No side effects. */
  private boolean phaseTimedOut() {
    return phaseTimer != null && phaseTimer.isCompleted() && phase == timedPhase;
  }

  /** Starts the timer of a phase that is bounded (queued, creating) when the sandbox enters it. */
  private void armPhaseTimer(SandboxPhase next) {
    if (phaseTimeoutsVersion < 1 || !createAnswered || next == timedPhase
        || (next != SandboxPhase.QUEUED && next != SandboxPhase.CREATING)) {
      return;
    }
    timedPhase = next;
    timedFor = next == SandboxPhase.QUEUED ? limits.scheduleTimeoutOf(spec) : limits.startupTimeoutOf(spec);
    phaseTimer = Workflow.newTimer(timedFor);
  }

  private void failTimedOut() {
    String last = reason == null && message == null ? ""
        : ": " + (reason == null ? "" : reason) + (reason != null && message != null ? " " : "")
            + (message == null ? "" : message);
    reason = timedPhase == SandboxPhase.QUEUED ? SCHEDULE_TIMEOUT : STARTUP_TIMEOUT;
    message = "still " + timedPhase.wireName() + " after " + timedFor + last;
    setPhase(SandboxPhase.FAILED);
  }

  private boolean continueAsNewWanted() {
    return phase == SandboxPhase.RUNNING
        && (updatesThisRun >= updatesPerRun || Workflow.getInfo().isContinueAsNewSuggested());
  }

  private void setTerminated() {
    if (terminateReason == null && ttlExpired()) {
      requestTermination("TTLExpired", "the sandbox reached its ttl of " + spec.ttl());
    }
    reason = terminateReason == null ? "TerminateRequested" : terminateReason;
    message = terminateMessage;
    setPhase(SandboxPhase.TERMINATED);
  }

  private void apply(RuntimeState state) {
    if (phase.terminal()) {
      return;
    }
    reason = state.reason();
    message = state.message();
    exitCode = state.exitCode();
    if (state.ref() != null) {
      ref = state.ref();
    }
    if (state.startedAt() != null) {
      startedAt = state.startedAt();
    } else if (state.phase() == SandboxPhase.RUNNING && startedAt == null) {
      startedAt = now();
    }
    if (state.finishedAt() != null) {
      finishedAt = state.finishedAt();
    }
    setPhase(state.phase());
  }

  private void failWith(ActivityFailure failure, String stage) {
    ApplicationFailure cause = applicationCause(failure);
    reason = cause != null ? cause.getType() : "ActivityFailed";
    message = stage + " failed: " + (cause != null ? cause.getOriginalMessage() : failure.getMessage());
    setPhase(SandboxPhase.FAILED);
  }

  private void setPhase(SandboxPhase next) {
    phase = next;
    armPhaseTimer(next);
    if (next.terminal() && finishedAt == null) {
      finishedAt = now();
    }
    if (!next.wireName().equals(upsertedPhase)) {
      List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
      updates.add(SearchAttributes.PHASE.valueSet(next.wireName()));
      if (!identityUpserted) {
        // Rides along with the first upsert of a run (no extra action), so a sandbox started
        // without SandboxPresentation's attributes still becomes searchable by image and tags.
        identityUpserted = true;
        updates.add(SearchAttributes.IMAGE.valueSet(spec.image()));
        if (!spec.tags().isEmpty()) {
          updates.add(SearchAttributes.TAGS.valueSet(SandboxPresentation.tagEntries(spec.tags())));
        }
        if (!spec.volumeMounts().isEmpty()) {
          updates.add(SearchAttributes.VOLUMES.valueSet(SandboxPresentation.volumeNames(spec)));
        }
      }
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
      upsertedPhase = next.wireName();
    }
    Workflow.setCurrentDetails(SandboxPresentation.currentDetails(status()));
    if (next == SandboxPhase.RUNNING && notifyParent && !parentNotified) {
      parentNotified = true;
      notifyParentOf(new SandboxResult(status(), LogChunk.empty()));
    }
  }

  private void notifyParentOf(SandboxResult event) {
    Workflow.getInfo().getParentWorkflowId().ifPresent(parent -> {
      try {
        Workflow.newUntypedExternalWorkflowStub(parent).signal(Conventions.SANDBOX_EVENT_SIGNAL, event);
      } catch (RuntimeException e) {
        // The parent closed: nobody is left to tell, and the sandbox goes on regardless.
        log.warn("sandbox {}: could not signal parent {}: {}", name, parent, e.getMessage());
      }
    });
  }

  private void restore(SandboxStatus s) {
    phase = s.phase();
    reason = s.reason();
    message = s.message();
    exitCode = s.exitCode();
    createdAt = s.createdAt();
    startedAt = s.startedAt();
    finishedAt = s.finishedAt();
    ref = s.ref();
    execCount = s.execCount();
    parentNotified = phase != SandboxPhase.QUEUED && phase != SandboxPhase.CREATING;
  }

  private SandboxStatus status() {
    return new SandboxStatus(name, spec.image(), phase, reason, message, exitCode, createdAt,
        startedAt, finishedAt, ref, spec.tags(), execCount);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  static ApplicationFailure applicationCause(Throwable failure) {
    Throwable t = failure;
    while (t != null) {
      if (t instanceof ApplicationFailure app) {
        return app;
      }
      t = t.getCause();
    }
    return null;
  }

  /** The typed failure behind an activity failure, so update callers see its type. */
  static RuntimeException rethrowable(ActivityFailure failure) {
    ApplicationFailure cause = applicationCause(failure);
    if (cause == null) {
      return failure;
    }
    return ApplicationFailure.newNonRetryableFailure(cause.getOriginalMessage(),
        Objects.requireNonNullElse(cause.getType(), SandboxErrors.RUNTIME_UNAVAILABLE));
  }
}
