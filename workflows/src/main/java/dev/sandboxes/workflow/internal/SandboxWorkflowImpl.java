package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.ExecCalls;
import dev.sandboxes.metrics.SandboxMetrics;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.SandboxLimits;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.SandboxWorkflow;
import io.temporal.common.VersioningBehavior;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The life of one sandbox: create its runtime object, follow its phase by watching (through
 * heartbeating activities), serve exec/logs/terminate, and on every way out capture its logs
 * and delete it. Cleanup after cancellation runs in a detached scope, so a cancelled sandbox
 * never leaks its pod; a cancellation that arrives while the create is in flight waits for the
 * create to answer, so the pod it made is deleted too.
 *
 * <p>Durable timers bound the phases before {@code running}: a sandbox still {@code queued}
 * after its schedule timeout fails with reason {@code ScheduleTimeout}, one still
 * {@code creating} after its startup timeout with {@code StartupTimeout}; the message keeps
 * the platform's last word (e.g. the scheduler's {@code Insufficient cpu}). The timeouts come
 * from the spec or else the worker's {@link SandboxLimits}, which also bound the TTL.
 *
 * <p>This class keeps the Temporal side: the stub calls in order, the loop, continue-as-new and
 * the handlers. The phase rules are {@link SandboxLifecycle}'s (pure), the shared state of a run
 * {@link SandboxRun}'s, the stages {@link SandboxCreation} and {@link SandboxCleanup}, and the
 * versioned changes to its commands {@link SandboxChanges}.
 */
public class SandboxWorkflowImpl implements SandboxWorkflow {
  /** Updates served by one run before it continues as new (the server allows 2000). */
  static final int DEFAULT_UPDATES_PER_RUN = 500;

  private final SandboxCalls calls = SandboxCalls.create();
  private final SandboxRun run;
  /** The lifecycle, read by handlers that may run before the workflow method. */
  private final SandboxLifecycle life;
  private final SandboxCleanup cleanup;
  private SandboxRequest request;
  private int updatesThisRun;
  private boolean cleanedUp;
  /** Whether the workflow method has begun the run (handlers may run before it, in the first task). */
  private boolean begun;
  /** Whether this run decided its cleanup (one activity) at the start: no late getVersion. */
  private boolean cleanupAtStart;
  /** Execs carry IDs and re-attach after a lost worker ({@link SandboxChanges#DURABLE_EXEC}). */
  private boolean durableExec;
  /** The memo gets the status after the cleanup too ({@link SandboxChanges#STATUS_MEMO_WHOLE}). */
  private boolean memoAfterCleanup;
  private LogChunk captured;
  /** The log tail a batch item's create read when the item ended under its watch (then the cleanup only deletes). */
  private LogChunk capturedAtEnd;

  /** With a worker's limits (registered through a workflow implementation factory). */
  public SandboxWorkflowImpl(SandboxLimits limits) {
    run = new SandboxRun(Objects.requireNonNull(limits, "limits"));
    life = run.life();
    cleanup = new SandboxCleanup(run, calls);
  }

  /** With the default limits and the run's input ({@link #SandboxWorkflowImpl(SandboxLimits, SandboxRequest)}). */
  @WorkflowInit
  public SandboxWorkflowImpl(SandboxRequest input) {
    this(SandboxLimits.defaults(), input);
  }

  /**
   * With a worker's limits and the run's input, read before any handler runs: an update that
   * arrives with a continued run's start (an exec right after continue-as-new, validated in the
   * same first workflow task, possibly before the workflow method) sees the carried phase, not
   * the initial {@code queued}. Sets fields only (no commands); the workflow method sets the
   * same ones again. {@code input} may be null (it could not be read here; the workflow method
   * reports why).
   */
  public SandboxWorkflowImpl(SandboxLimits limits, SandboxRequest input) {
    this(limits);
    if (input != null && input.carried() != null && input.spec() != null) {
      life.resume(input.carried().name(), input.spec(), input.carried());
    }
  }

  /** What a new sandbox's request breaks besides its spec: its unknown and unreadable fields, its own rules. */
  private static List<dev.sandboxes.model.Violation> refused(SandboxRequest request) {
    List<dev.sandboxes.model.Violation> found = new java.util.ArrayList<>(UnknownFields.of(request));
    found.addAll(request.violations());
    return found;
  }

  @Override
  public SandboxResult run(SandboxRequest request) {
    this.request = request;
    SandboxSpec spec = request.spec();
    if (spec == null) {
      // no spec at all (a caller's misspelt "spec"): fail at once, naming it, instead of failing
      // every workflow task on it; no history holds a run that got further without one
      List<String> why = new java.util.ArrayList<>(List.of("spec: must be set"));
      UnknownFields.of(request).forEach(v -> why.add(v.toString()));
      throw ApplicationFailure.newNonRetryableFailure("invalid sandbox request: " + String.join("; ", why),
          SandboxErrors.INVALID_SPEC);
    }
    String name = spec.name() != null ? spec.name() : WorkflowIds.sandboxNameOf(Workflow.getInfo().getWorkflowId());
    int startVersion = SandboxChanges.atStart();
    cleanupAtStart = startVersion >= SandboxChanges.CLEANUP_DECIDED_AT_START;
    durableExec = startVersion >= SandboxChanges.DURABLE_EXEC;
    run.begin(name, spec, request.notifyParent(), request.carried(), startVersion >= 1,
        request.carried() == null ? SandboxChanges.unknownFieldsRefused(refused(request)) : List.of(),
        startVersion);
    memoAfterCleanup = startVersion >= SandboxChanges.STATUS_MEMO_WHOLE;
    begun = true;
    try {
      if (request.carried() == null) {
        SandboxCreation creation =
            new SandboxCreation(run, calls, startVersion, quickEnd(startVersion) ? SandboxCreation.AWAIT_END : null);
        creation.create(new SandboxOwner(Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getFirstExecutionRunId()));
        capturedAtEnd = creation.capturedAtEnd();
      }
      run.followUntilTerminal(calls, this::continueAsNewWanted);
      if (!life.phase().terminal()) {
        Workflow.continueAsNew(request.continued(life.status()));
      }
    } catch (CanceledFailure e) {
      life.requestTermination(SandboxReason.CANCELLED, "the sandbox workflow was cancelled");
      Workflow.newDetachedCancellationScope(() -> {
        finish();
        // A cancelled workflow closes without its return value: hand the result to the
        // parent (the author API) by signal, and to clients through the result query.
        run.ended(result());
      }).run();
      return result().withNewestLines(request.resultLines());
    }
    finish();
    return result().withNewestLines(request.resultLines());
  }

  /**
   * Whether the create watches for a quick end ({@link SandboxChanges#QUICK_END}): for a batch
   * item (a command whose caller collects a trimmed result), which nobody waits on to run.
   */
  private boolean quickEnd(int startVersion) {
    return startVersion >= SandboxChanges.QUICK_END && request.resultLines() != null
        && request.spec().command() != null && !request.spec().command().isEmpty();
  }

  /** Captures the logs and deletes the runtime object ({@link SandboxCleanup}); runs on every way out. */
  private void finish() {
    if (!life.phase().terminal()) {
      run.terminated();
    }
    if (!run.foreignName() && life.ref() != null) {
      if (capturedAtEnd != null) {
        cleanup.delete();
        captured = capturedAtEnd;
      } else {
        captured = cleanupAtStart || cleanupVersion() >= 1 ? cleanup.inOneActivity() : cleanup.inTwoActivities();
      }
    }
    if (captured == null) {
      captured = LogChunk.empty();
    }
    if (memoAfterCleanup) {
      run.details(); // a failed delete added to the message: the memo says so too
    }
    cleanedUp = true;
    Workflow.await(Workflow::isEveryHandlerFinished);
  }

  /**
   * Which cleanup a run that did not decide it at the start takes
   * ({@link SandboxChanges#oneCleanupActivity}); a test overrides it to show the change unguarded.
   */
  protected int cleanupVersion() {
    return SandboxChanges.oneCleanupActivity();
  }

  // --- handlers -----------------------------------------------------------------------------

  @Override
  public SandboxStatus describe() {
    return life.status();
  }

  @Override
  public SandboxResult result() {
    return new SandboxResult(life.status(), captured == null ? LogChunk.empty() : captured);
  }

  // Validators throw the model's exceptions. The SDK reports a validator's rejection with the
  // exception's class name as its type (an ApplicationFailure thrown here would arrive as the
  // SDK's own wrapper class), so the plugin's data converter (SandboxDataConverter) writes the
  // model's type instead where it is installed on the client; the Java clients read both.
  @Override
  public void validateExec(ExecRequest request) {
    request.validated();
    if (life.phase() != SandboxPhase.RUNNING || run.mustStop()) {
      throw new SandboxNotRunningException(run.name(), "exec", life.phase());
    }
  }

  @Override
  public ExecResult exec(ExecRequest request) {
    // accepted in a continued run's first task before the workflow method (the validator reads
    // the carried phase): run it once the run has begun, with its settings (no command; no older
    // history holds an exec accepted there, its validator refused one)
    Workflow.await(() -> begun);
    updatesThisRun++;
    life.execAccepted();
    try {
      if (durableExec) {
        ExecRequest identified = request.id() != null ? request
            : request.withId(ExecIds.ofUpdate(Workflow.getCurrentUpdateInfo().orElseThrow().getUpdateId()));
        ExecResult result = ExecCalls.durable(identified, null, "exec " + String.join(" ", identified.argv()))
            .exec(run.name(), identified);
        life.agentAnswered();
        return result;
      }
      return SandboxCalls.exec(request).exec(run.name(), request);
    } catch (ActivityFailure failure) {
      if (ActivityFailures.is(failure, SandboxErrors.AGENT_UNAVAILABLE)) {
        // not a command: the sandbox's status (a query) says why execs fail
        life.agentUnavailable(ActivityFailures.detailOf(failure));
      }
      if (failure.getCause() instanceof TimeoutFailure timeout) {
        throw ActivityFailures.execOutcomeUnknown(request, run.name(), timeout, ExecCalls.EXEC_HEARTBEAT_TIMEOUT);
      }
      throw ActivityFailures.rethrowable(failure);
    } finally {
      run.details();
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
    if (!begun) {
      // before the workflow method (a continued run's first task): none, as it always answered
      // there; reading them would schedule an activity that older histories do not hold
      return LogChunk.empty();
    }
    if (life.ref() == null) {
      return LogChunk.empty();
    }
    try {
      return calls.reads().logs(run.name(), request);
    } catch (ActivityFailure failure) {
      if (ActivityFailures.is(failure, SandboxErrors.NOT_FOUND)) {
        Workflow.await(() -> captured != null);
        return captured.select(request);
      }
      throw ActivityFailures.rethrowable(failure);
    }
  }

  @Override
  public void validateAwaitRunning(Duration timeout) {
    dev.sandboxes.model.WaitTimeouts.valid("timeout", timeout);
  }

  @Override
  public void validateTerminate(String why) {
    dev.sandboxes.model.TerminateReasons.valid(why);
  }

  @Override
  public SandboxStatus awaitRunning(Duration timeout) {
    updatesThisRun++;
    Workflow.await(timeout, () -> life.phase() == SandboxPhase.RUNNING || life.phase().terminal());
    return life.status();
  }

  @Override
  public SandboxStatus terminate(String why) {
    updatesThisRun++;
    SandboxMetrics.outcome(Workflow.getMetricsScope(), SandboxMetrics.TERMINATES,
        life.phase().terminal() ? "already_ended" : "accepted");
    life.requestTermination(SandboxReason.TERMINATE_REQUESTED, why);
    Workflow.await(() -> cleanedUp);
    return life.status();
  }

  // --- continue-as-new ----------------------------------------------------------------------

  private boolean continueAsNewWanted() {
    return life.phase() == SandboxPhase.RUNNING
        && (updatesThisRun >= updatesPerRun() || Workflow.getInfo().isContinueAsNewSuggested());
  }

  private int updatesPerRun() {
    return request.updatesPerRun() == null ? DEFAULT_UPDATES_PER_RUN : request.updatesPerRun();
  }

  /**
   * This workflow on a versioned worker: auto-upgrade. A sandbox lives as long as it is used, so
   * it moves to the deployment's current version at its next workflow task; a change to its
   * commands must therefore go through {@code Workflow.getVersion} (and replay the recorded
   * histories). A sandbox started by a pinned workflow starts on that workflow's version.
   *
   * <p>Only versioned workers register it (see {@code WorkflowTypes.register} for why).
   */
  public static final class Versioned extends SandboxWorkflowImpl {
    public Versioned(SandboxLimits limits) {
      super(limits);
    }

    @WorkflowInit
    public Versioned(SandboxRequest input) {
      super(input);
    }

    public Versioned(SandboxLimits limits, SandboxRequest input) {
      super(limits, input);
    }

    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.AUTO_UPGRADE)
    public SandboxResult run(SandboxRequest request) {
      return super.run(request);
    }
  }
}
