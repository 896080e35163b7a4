package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.CreateSandboxRequest;
import dev.sandboxes.activity.CreatedSandbox;
import dev.sandboxes.activity.SandboxActivities;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * A sandbox's first stage: create its runtime object (the activity is idempotent and retried
 * until the platform answers), wait, watching, for volumes that are not ready yet, and create
 * again with a backoff while quota refuses it. Ends when the sandbox is on its way, has failed,
 * or must stop. A cancellation that arrives while the create is in flight waits for its answer,
 * so the object it made is deleted too.
 */
final class SandboxCreation {
  static final Duration QUOTA_BACKOFF_FIRST = Duration.ofSeconds(5);
  static final Duration QUOTA_BACKOFF_MAX = Duration.ofMinutes(1);
  /**
   * How long a batch item's create watches for the item's end ({@link SandboxChanges#QUICK_END}).
   * Short: a cancellation waits for the create in flight, and the item shows its running phase
   * only when the create answers.
   */
  static final Duration AWAIT_END = Duration.ofSeconds(5);

  private final SandboxRun run;
  private final SandboxCalls calls;
  private final int startVersion;
  private final Duration awaitEnd;
  private LogChunk capturedAtEnd;

  /**
   * @param startVersion the run's {@link SandboxChanges#atStart} version
   * @param awaitEnd how long the create watches for a quick end ({@link #AWAIT_END}), or null
   */
  SandboxCreation(SandboxRun run, SandboxCalls calls, int startVersion, Duration awaitEnd) {
    this.run = run;
    this.calls = calls;
    this.startVersion = startVersion;
    this.awaitEnd = awaitEnd;
  }

  void create(SandboxOwner owner) {
    SandboxLifecycle life = run.life();
    SandboxSpec spec = run.spec();
    SandboxSpec named = spec.name() == null ? spec.withName(run.name()) : spec;
    boolean settled = SandboxChanges.settledCreate(startVersion);
    SandboxActivities creator = settled ? calls.settledCreate() : calls.control();
    Duration backoff = QUOTA_BACKOFF_FIRST;
    while (true) {
      RuntimeState created;
      LogChunk captured = null;
      try {
        if (awaitEnd != null) {
          CreatedSandbox answer = creator.createAndAwaitEnd(new CreateSandboxRequest(named, owner, awaitEnd),
              LogRequest.lastLines(SandboxCleanup.CAPTURE_TAIL));
          created = answer.state();
          captured = answer.captured();
        } else {
          created = creator.create(new CreateSandboxRequest(named, owner));
        }
      } catch (ActivityFailure failure) {
        // Another owner's pod must never be touched: no log capture, no delete.
        run.foreignName(ActivityFailures.is(failure, SandboxErrors.NAME_CONFLICT));
        if (settled) {
          // A create that ended because of a cancel (it never ran, or was not retried after
          // it) ends the sandbox as cancelled, not failed.
          CancellationScope.throwCanceled();
        }
        run.failWith(failure, "create");
        return;
      }
      if (settled && CancellationScope.current().isCancelRequested()) {
        // The create finished after the cancel: keep its ref, which the cleanup deletes by.
        life.madeDespiteCancel(created.ref());
        CancellationScope.throwCanceled();
      }
      run.observe(created);
      if (captured != null && life.phase().terminal()) {
        capturedAtEnd = captured;
      }
      run.createAnswered();
      switch (life.afterCreate()) {
        case FOLLOW:
          return;
        case AWAIT_VOLUMES:
          if (!awaitVolumes()) {
            return;
          }
          continue;
        case RETRY_FOR_QUOTA:
          // Quota has no watch to wait on: retry the create with backoff, as a durable timer.
          if (Workflow.await(backoff, () -> run.mustStop() || run.phaseTimedOut())) {
            return;
          }
          backoff = backoff.multipliedBy(2).compareTo(QUOTA_BACKOFF_MAX) > 0 ? QUOTA_BACKOFF_MAX
              : backoff.multipliedBy(2);
          break;
        default:
          throw new IllegalStateException("unknown outcome " + life.afterCreate());
      }
    }
  }

  /**
   * The log tail of a sandbox that ended while its create watched ({@link #AWAIT_END}), read
   * before anything was deleted; its cleanup only deletes. Null otherwise.
   */
  LogChunk capturedAtEnd() {
    return capturedAtEnd;
  }

  /**
   * Waits (watching, through a heartbeating activity) until the sandbox's volumes are ready.
   * False when the sandbox must not be created after all: it was terminated, or a volume is
   * gone or failed (then the sandbox has failed).
   */
  private boolean awaitVolumes() {
    while (true) {
      Promise<Boolean> ready = run.watched(
          () -> Async.function(calls.watch()::awaitVolumes, run.spec().volumeMounts()), run::phaseTimedOut);
      if (ready == null) {
        return false;
      }
      try {
        if (ready.get()) {
          return true;
        }
      } catch (ActivityFailure failure) {
        run.failWith(failure, "create");
        return false;
      }
    }
  }
}
