package dev.sandboxes.workflow;

import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One sandbox's whole life, from creation to cleanup. Its workflow ID is {@code sandbox/<name>}
 * and is started with {@code REJECT_DUPLICATE}, so a name is never used twice.
 *
 * <p>The workflow completes normally in every terminal phase (a failed sandbox is a result, not
 * a workflow failure); it fails only for an invalid spec or a non-retryable platform error.
 */
@WorkflowInterface
public interface SandboxWorkflow {

  /**
   * Creates the sandbox, follows it until it ends, captures its log tail and deletes it, then
   * returns its final status and that tail (the newest {@link SandboxRequest#resultLines} lines
   * when set). Fails with type {@code InvalidSandboxSpec} when the spec breaks a rule or the
   * worker's {@link SandboxLimits}.
   */
  @WorkflowMethod(name = "Sandbox")
  SandboxResult run(SandboxRequest request);

  /** The current status; also answers after the workflow closed. */
  @QueryMethod
  SandboxStatus describe();

  /**
   * The status with the captured log tail. After close this is how the result of a cancelled
   * sandbox is read: Temporal records a cancelled workflow without its return value.
   */
  @QueryMethod(name = "result")
  SandboxResult result();

  /** Runs a command in the running sandbox; rejected (naming the phase) in any other phase. */
  @UpdateMethod
  ExecResult exec(ExecRequest request);

  /**
   * Rejects an exec before it is recorded: {@link dev.sandboxes.model.InvalidSpecException} for a
   * request that breaks a rule, {@link dev.sandboxes.model.SandboxNotRunningException} when the
   * sandbox is not running or is about to stop (terminated, or its TTL passed).
   */
  @UpdateValidatorMethod(updateName = "exec")
  void validateExec(ExecRequest request);

  /** Recent output: live while the pod exists, the captured tail afterwards. */
  @UpdateMethod
  LogChunk logs(LogRequest request);

  /**
   * Rejects a log request that breaks a rule ({@link dev.sandboxes.model.InvalidSpecException})
   * before it is recorded; logs are readable in every phase.
   */
  @UpdateValidatorMethod(updateName = "logs")
  void validateLogs(LogRequest request);

  /**
   * Returns once the sandbox runs or has ended, or after {@code timeout} with its status then:
   * how a client waits for a phase without polling.
   */
  @UpdateMethod
  SandboxStatus awaitRunning(java.time.Duration timeout);

  /**
   * Rejects a wait that is unset, not positive or longer than 365 days
   * ({@link dev.sandboxes.model.WaitTimeouts}) before it is recorded: a timer the server cannot
   * hold would fail every task of the workflow.
   */
  @UpdateValidatorMethod(updateName = "awaitRunning")
  void validateAwaitRunning(java.time.Duration timeout);

  /**
   * Terminates the sandbox and returns once its pod is gone. Idempotent: on a sandbox that is
   * already terminal it returns the final status.
   */
  @UpdateMethod
  SandboxStatus terminate(String reason);

  /**
   * Rejects a reason longer than {@link dev.sandboxes.model.TerminateReasons#MAX} characters before
   * it is recorded: it becomes the status's message.
   */
  @UpdateValidatorMethod(updateName = "terminate")
  void validateTerminate(String reason);
}
