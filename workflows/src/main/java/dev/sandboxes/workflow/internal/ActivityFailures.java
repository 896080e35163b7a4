package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.SandboxErrors;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import java.time.Duration;
import java.util.Objects;

/** What the workflows read out of a failed activity: its typed cause, its type, its words. */
final class ActivityFailures {
  private ActivityFailures() {}

  /** The first {@link ApplicationFailure} in {@code failure}'s causes, or null. */
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

  /** The failure's type (one of {@link SandboxErrors}' names for the runtimes' errors), or null. */
  static String typeOf(ActivityFailure failure) {
    ApplicationFailure cause = applicationCause(failure);
    return cause == null ? null : cause.getType();
  }

  /** Whether the failure's type is {@code type}. */
  static boolean is(ActivityFailure failure, String type) {
    return type.equals(typeOf(failure));
  }

  /** The failure's own words: the typed cause's message, else the activity failure's. */
  static String detailOf(ActivityFailure failure) {
    ApplicationFailure cause = applicationCause(failure);
    return cause != null ? cause.getOriginalMessage() : failure.getMessage();
  }

  /**
   * The failure of an exec whose activity timed out: the worker running it died or stopped
   * answering, so whether the command ran is unknown; the sandbox itself is still usable.
   */
  static ApplicationFailure execOutcomeUnknown(ExecRequest request, String sandbox,
      TimeoutFailure timeout, Duration heartbeatTimeout) {
    return ApplicationFailure.newNonRetryableFailure("exec " + String.join(" ", request.argv())
        + " in sandbox \"" + sandbox + "\": the worker running it stopped answering ("
        + (timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_HEARTBEAT
            ? "no heartbeat for " + heartbeatTimeout.toSeconds() + "s"
            : "no result within the exec's time limit")
        + "), so the command's outcome is unknown: it may or may not have run; the sandbox is "
        + "still usable", SandboxErrors.EXEC_OUTCOME_UNKNOWN);
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
