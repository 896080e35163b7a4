package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.SandboxLimits;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One run of a sandbox's workflow as its stages and handlers share it: the pure
 * {@link SandboxLifecycle}, the durable {@link SandboxTimers}, and what shows the phase
 * ({@link SandboxPublisher}). Every event goes through here, so the phase it leads to gets its
 * timer and its search attribute at once. The checks ({@link #mustStop}, {@link #phaseTimedOut})
 * have no side effects: they serve as await conditions.
 *
 * <p>Made with the workflow object, before its workflow method runs: an update delivered with
 * the first workflow task runs first and already reads the lifecycle.
 */
final class SandboxRun {
  private final SandboxLimits limits;
  private final SandboxLifecycle life = new SandboxLifecycle();
  private final SandboxTimers timers;
  private String name;
  private SandboxSpec spec;
  private SandboxPublisher publisher;
  /** The name belongs to another owner's object, which must never be touched (no capture, no delete). */
  private boolean foreignName;

  SandboxRun(SandboxLimits limits) {
    this.limits = limits;
    this.timers = new SandboxTimers(limits);
  }

  /**
   * Begins the run. A new sandbox is checked (an invalid spec fails the workflow, published as
   * failed) and published as queued; a continued one resumes as its previous run left it
   * ({@code carried}). Then its timers start; {@code phaseTimeouts} is false for a history
   * recorded before the phase timers. {@code unknownFields} are the input's fields its types do
   * not know, refused with the spec's violations (empty for a history recorded before that).
   * {@code startVersion} ({@link SandboxChanges#atStart}) says how the run keeps its status in the
   * memo (from {@link SandboxChanges#STATUS_MEMO}); a continued one writes it once at its start,
   * as it may not have been kept by the run before.
   */
  void begin(String name, SandboxSpec spec, boolean notifyParent, SandboxStatus carried, boolean phaseTimeouts,
      List<Violation> unknownFields, int startVersion) {
    this.name = name;
    this.spec = spec;
    // Starters set phase=queued, image and tags (SandboxPresentation); continue-as-new keeps them.
    publisher = new SandboxPublisher(spec, notifyParent, carried, startVersion);
    if (carried != null) {
      life.resume(name, spec, carried);
      if (startVersion >= SandboxChanges.STATUS_MEMO) {
        publisher.details(life.status());
      }
    } else {
      life.begin(name, spec, now());
      rejectInvalid(unknownFields);
      publish();
    }
    timers.begin(spec, phaseTimeouts, life.createdAt(), now());
  }

  private void rejectInvalid(List<Violation> unknownFields) {
    List<Violation> violations = new ArrayList<>(unknownFields);
    violations.addAll(SandboxLifecycle.violations(spec, limits, name, Workflow.getInfo().getWorkflowId()));
    if (!violations.isEmpty()) {
      String text = "invalid sandbox spec: "
          + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
      life.rejected(text, now());
      publish();
      throw ApplicationFailure.newNonRetryableFailure(text, SandboxErrors.INVALID_SPEC);
    }
  }

  /**
   * The sandbox's name. A handler may run before the workflow method began (an update that
   * arrived with the start is handled in the same first workflow task); it gets the name its
   * workflow ID gives, which {@link #begin} requires the spec's name to match.
   */
  String name() {
    return name != null ? name : WorkflowIds.sandboxNameOf(Workflow.getInfo().getWorkflowId());
  }

  SandboxSpec spec() {
    return spec;
  }

  SandboxLifecycle life() {
    return life;
  }

  boolean foreignName() {
    return foreignName;
  }

  void foreignName(boolean foreign) {
    foreignName = foreign;
  }

  // --- checks (no side effects) -------------------------------------------------------------

  /** Whether the sandbox must stop: termination was requested or its TTL passed. */
  boolean mustStop() {
    return life.terminationRequested() || timers.ttlExpired();
  }

  /** Whether the phase that is timed has lasted longer than its timeout. */
  boolean phaseTimedOut() {
    return timers.phaseTimedOut(life.phase());
  }

  // --- events -------------------------------------------------------------------------------

  void observe(RuntimeState state) {
    if (life.observed(state, now())) {
      publish();
    }
  }

  /** The first create answered: the bounded phases are timed from now. */
  void createAnswered() {
    timers.createAnswered(life.phase());
  }

  void failWith(ActivityFailure failure, String stage) {
    life.stageFailed(stage, ActivityFailures.typeOf(failure), ActivityFailures.detailOf(failure), now());
    publish();
  }

  void lost(String detail) {
    life.lost(detail, now());
    publish();
  }

  void timedOut() {
    life.timedOut(timers.timedPhase(), timers.timedFor(), now());
    publish();
  }

  void terminated() {
    life.terminated(timers.ttlExpired(), now());
    publish();
  }

  /** Refreshes the workflow page's details (e.g. the exec count). */
  void details() {
    publisher.details(life.status());
  }

  /** Tells the parent the sandbox's end, when it asked to be told. */
  void ended(SandboxResult result) {
    publisher.ended(result);
  }

  /** Makes the phase the lifecycle just entered count: its timer, then what shows it. */
  private void publish() {
    timers.entered(life.phase());
    publisher.entered(life.status());
  }

  /**
   * Follows the sandbox's phase by watching until it is terminal, it must stop (it ends here as
   * terminated), its timed phase lasts too long (timed out), or {@code continueAsNewWanted} holds
   * and every handler has finished; an object that vanished ends it as lost.
   */
  void followUntilTerminal(SandboxCalls calls, BooleanSupplier continueAsNewWanted) {
    while (!life.phase().terminal()) {
      if (mustStop()) {
        terminated();
        return;
      }
      if (phaseTimedOut()) {
        timedOut();
        return;
      }
      if (continueAsNewWanted.getAsBoolean()) {
        Workflow.await(() -> Workflow.isEveryHandlerFinished() || mustStop());
        if (!mustStop()) {
          return;
        }
        continue;
      }
      Promise<RuntimeState> change = watched(
          () -> Async.function(calls.watch()::awaitChange, name, life.phase()),
          () -> phaseTimedOut() || continueAsNewWanted.getAsBoolean());
      if (change == null) {
        continue;
      }
      try {
        observe(change.get());
      } catch (ActivityFailure failure) {
        if (ActivityFailures.is(failure, SandboxErrors.NOT_FOUND)) {
          lost(ActivityFailures.detailOf(failure));
        } else {
          failWith(failure, "watch");
        }
      }
    }
  }

  /**
   * Starts a watch in a scope of its own and waits until it completes, the sandbox must stop,
   * or {@code interrupted} holds. The completed watch, or null (the watch cancelled) otherwise.
   */
  <T> Promise<T> watched(Supplier<Promise<T>> start, Supplier<Boolean> interrupted) {
    List<Promise<T>> started = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(() -> started.add(start.get()));
    scope.run();
    Promise<T> promise = started.get(0);
    Workflow.await(() -> promise.isCompleted() || mustStop() || interrupted.get());
    if (!promise.isCompleted()) {
      scope.cancel();
      return null;
    }
    return promise;
  }

  static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
