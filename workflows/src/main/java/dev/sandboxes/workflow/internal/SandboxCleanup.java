package dev.sandboxes.workflow.internal;

import dev.sandboxes.activity.SandboxActivities;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * A sandbox's last stage, on every way out once it made a runtime object: capture the log tail
 * and delete the object, so no pod outlives its workflow. Retryable failures are retried by the
 * activity until the platform answers; a non-retryable one (e.g. RBAC) is logged and recorded in
 * the status, and the object remains until its deadline.
 */
final class SandboxCleanup {
  /** Log lines kept after the pod is gone (at most SandboxActivities.CAPTURE_MAX_CHARS of text). */
  static final int CAPTURE_TAIL = 1000;

  private static final Logger log = Workflow.getLogger(SandboxWorkflowImpl.class);

  private final SandboxRun run;
  private final SandboxCalls calls;

  SandboxCleanup(SandboxRun run, SandboxCalls calls) {
    this.run = run;
    this.calls = calls;
  }

  /** Captures and deletes in one activity ({@link SandboxChanges#ONE_CLEANUP_ACTIVITY}); the logs kept. */
  LogChunk inOneActivity() {
    try {
      return calls.control().captureAndDelete(run.name(), LogRequest.lastLines(CAPTURE_TAIL));
    } catch (ActivityFailure failure) {
      failed(failure);
      return LogChunk.empty();
    }
  }

  /** Histories recorded before {@link SandboxChanges#ONE_CLEANUP_ACTIVITY}: logs, then delete. */
  LogChunk inTwoActivities() {
    LogChunk captured = captureLogs();
    delete();
    return captured;
  }

  /** Only the delete: for a sandbox whose logs are already in the history ({@link SandboxCreation#capturedAtEnd}). */
  void delete() {
    try {
      calls.control().delete(run.name());
    } catch (ActivityFailure failure) {
      failed(failure);
    }
  }

  private LogChunk captureLogs() {
    try {
      return calls.reads().logs(run.name(), LogRequest.lastLines(CAPTURE_TAIL))
          .newest(SandboxActivities.CAPTURE_MAX_CHARS);
    } catch (ActivityFailure failure) {
      log.warn("sandbox {}: could not capture logs: {}", run.name(), failure.getMessage());
      return LogChunk.empty();
    }
  }

  private void failed(ActivityFailure failure) {
    String why = failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage();
    log.error("sandbox {}: delete failed, pod may remain until its deadline: {}", run.name(), why);
    run.life().cleanupFailed(why);
  }
}
