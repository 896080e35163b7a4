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
      if (Workflow.await(backoff, this::mustStop)) {
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
      Workflow.await(() -> ready.get(0).isCompleted() || mustStop());
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
      Workflow.await(() -> change.get(0).isCompleted() || mustStop() || continueAsNewWanted());
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
    if (phase != SandboxPhase.RUNNING || terminateReason != null) {
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
            // Running a command twice is not harmless: exec is never retried.
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .setSummary("exec " + String.join(" ", request.argv()))
            .build());
    try {
      return once.exec(name, request);
    } catch (ActivityFailure failure) {
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

  private boolean mustStop() {
    if (terminateReason == null && ttlTimer != null && ttlTimer.isCompleted()) {
      requestTermination("TTLExpired", "the sandbox reached its ttl of " + spec.ttl());
    }
    return terminateReason != null;
  }

  private boolean continueAsNewWanted() {
    return phase == SandboxPhase.RUNNING
        && (updatesThisRun >= updatesPerRun || Workflow.getInfo().isContinueAsNewSuggested());
  }

  private void setTerminated() {
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
