package dev.sandboxes.activity;

import io.temporal.common.RetryOptions;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import java.time.Duration;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;

/**
 * How workflows call the exec activities: for the sandbox workflow and for the {@code Sandbox}
 * handle of the author API, which live in packages of their own (machinery, not API). A lost worker is noticed by the exec activity's
 * heartbeat and the exec retried, which re-attaches to the command where the sandbox keeps its
 * execs (the in-sandbox agent) or, where it cannot, fails as {@code ExecOutcomeUnknown} without
 * running the command again; refusals are not retried.
 */
public final class ExecCalls {
  /**
   * The change that gave the handle's execs IDs and retries, asked in the calling workflow at its
   * first exec (histories of callers recorded before it replay with one attempt and no ID).
   */
  public static final String HANDLE_DURABLE_EXEC = "sandbox-handle-durable-exec";

  private ExecCalls() {}

  /** How soon a dead worker is noticed during an exec (the exec activity heartbeats meanwhile). */
  public static final Duration EXEC_HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);

  /** Attempts of an exec: the first, and re-attaches after lost workers or an unreachable agent. */
  public static final int EXEC_ATTEMPTS = 5;

  /** Reads of output on behalf of a waiting caller: three attempts, 1 s then 2 s apart. */
  private static final RetryOptions READ_RETRY = RetryOptions.newBuilder()
      .setInitialInterval(Duration.ofSeconds(1)).setBackoffCoefficient(2)
      .setMaximumInterval(Duration.ofSeconds(30)).setMaximumAttempts(3).build();

  /**
   * An exec with an ID: heartbeating, so a lost worker shows within {@link #EXEC_HEARTBEAT_TIMEOUT},
   * then retried (1 s to 10 s apart, {@link #EXEC_ATTEMPTS} attempts) to re-attach to the command.
   * Its start-to-close bounds one attempt by the command's timeout plus a minute.
   */
  static ActivityOptions durableExec(Duration commandTimeout) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(commandTimeout.plus(Duration.ofMinutes(1)))
        .setHeartbeatTimeout(EXEC_HEARTBEAT_TIMEOUT)
        .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2).setMaximumInterval(Duration.ofSeconds(10))
            .setMaximumAttempts(EXEC_ATTEMPTS).build())
        .build();
  }

  /** The stub for {@code request}, which has an ID, on {@code taskQueue} (null: the caller's). */
  public static SandboxActivities durable(ExecRequest request, String taskQueue, String summary) {
    ActivityOptions.Builder options = durableExec(request.effectiveTimeout()).toBuilder()
        .setSummary(summary);
    if (taskQueue != null) {
      options.setTaskQueue(taskQueue);
    }
    return Workflow.newActivityStub(SandboxActivities.class, options.build());
  }

  /**
   * The stub for one read of an exec's output on {@code taskQueue}: long-polled (its wait plus a
   * margin), three attempts (a read repeated from the same offset returns the same output).
   */
  public static SandboxActivities output(ExecOutputRequest request, String taskQueue) {
    ActivityOptions.Builder options = ActivityOptions.newBuilder()
        .setStartToCloseTimeout(request.effectiveWait().plus(Duration.ofSeconds(30)))
        .setRetryOptions(READ_RETRY).setSummary("exec output " + request.execId() + " from " + request.offset());
    if (taskQueue != null) {
      options.setTaskQueue(taskQueue);
    }
    return Workflow.newActivityStub(SandboxActivities.class, options.build());
  }

  /** Whether the calling workflow's handle execs are durable (asks {@link #HANDLE_DURABLE_EXEC}). */
  public static boolean handleExecsAreDurable() {
    return Workflow.getVersion(HANDLE_DURABLE_EXEC, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /** An ID for a handle's exec that came without one: random, and the same on replay. */
  public static String newHandleExecId() {
    return "w-" + Workflow.randomUUID();
  }
}
