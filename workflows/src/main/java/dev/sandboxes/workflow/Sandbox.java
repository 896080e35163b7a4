package dev.sandboxes.workflow;

import dev.sandboxes.activity.SandboxActivities;
import dev.sandboxes.model.ExecOutputChunk;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.OutputPiece;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.activity.ExecCalls;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import dev.sandboxes.model.SandboxReason;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * A sandbox started from workflow code with {@link Sandboxes#start}: a child SandboxWorkflow.
 * Exec and logs run as activities of the calling workflow (workflow code cannot send updates),
 * so they show in its history where its author looks.
 *
 * <p>Use it in try-with-resources: {@link #close()} terminates the sandbox if it still runs.
 * Cancelling the calling workflow, or its closing, terminates it too.
 */
public final class Sandbox implements AutoCloseable {
  private final String name;
  private final String taskQueue;
  private final Promise<SandboxResult> result;
  private final CancellationScope scope;
  private final SandboxEvents events;
  private static final Duration FINAL_RESULT_WAIT = Duration.ofMinutes(1);

  Sandbox(String name, String taskQueue, Promise<SandboxResult> result, CancellationScope scope,
      SandboxEvents events) {
    this.name = name;
    this.taskQueue = taskQueue;
    this.result = result;
    this.scope = scope;
    this.events = events;
  }

  /** The sandbox's name: the spec's, or the one generated for it. */
  public String name() {
    return name;
  }

  /** The workflow ID of the sandbox's workflow, {@code sandbox/<name>}. */
  public String workflowId() {
    return dev.sandboxes.model.WorkflowIds.sandboxWorkflowId(name);
  }

  /** True once the sandbox's workflow has finished. */
  public boolean done() {
    return result.isCompleted();
  }

  /**
   * Waits until the sandbox runs and returns its status; throws an {@link ApplicationFailure}
   * of type {@link SandboxErrors#NOT_RUNNING} if it ended without running.
   */
  public SandboxStatus awaitRunning() {
    Workflow.await(() -> events.latest(name) != null || result.isCompleted());
    if (result.isCompleted()) {
      SandboxStatus last = finalStatus();
      throw notRunning("exec", last == null ? SandboxPhase.FAILED : last.phase());
    }
    return events.latest(name);
  }

  /**
   * Runs a command once the sandbox runs; a non-zero exit code is a result. The exec has an ID
   * ({@link ExecRequest#id}, or a new one): when the worker running it is lost, the exec is
   * retried and re-attaches to the command, which therefore runs once, where the sandbox keeps
   * its execs (the in-sandbox agent); elsewhere it fails as {@code ExecOutcomeUnknown}.
   */
  public ExecResult exec(ExecRequest request) {
    InvalidInput.refuse("exec request", request.violations());
    awaitRunning();
    if (ExecCalls.handleExecsAreDurable()) {
      ExecRequest identified = request.id() != null ? request : request.withId(ExecCalls.newHandleExecId());
      try {
        return ExecCalls.durable(identified, taskQueue, name + ": exec " + String.join(" ", request.argv()))
            .exec(name, identified);
      } catch (ActivityFailure failure) {
        if (result.isCompleted()) {
          throw notRunning("exec", finalStatus().phase());
        }
        throw failure;
      }
    }
    SandboxActivities once = Workflow.newActivityStub(SandboxActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(taskQueue)
            .setStartToCloseTimeout(request.effectiveTimeout().plus(Duration.ofMinutes(1)))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .setSummary(name + ": exec " + String.join(" ", request.argv()))
            .build());
    try {
      return once.exec(name, request);
    } catch (ActivityFailure failure) {
      if (result.isCompleted()) {
        throw notRunning("exec", finalStatus().phase());
      }
      throw failure;
    }
  }

  /**
   * Runs a command as {@link #exec(ExecRequest)} does and hands its output to {@code output} as
   * the command writes it (read by activities of the calling workflow, each returning as soon as
   * new output is there; the pieces are in its history). Where the sandbox keeps no exec output
   * (no in-sandbox agent) the output is handed over once the command ended, from its result.
   */
  public ExecResult exec(ExecRequest request, java.util.function.Consumer<OutputPiece> output) {
    InvalidInput.refuse("exec request", request.violations());
    awaitRunning();
    ExecRequest identified = request.id() != null ? request : request.withId(ExecCalls.newHandleExecId());
    Promise<ExecResult> running = Async.function(ExecCalls.durable(identified, taskQueue,
        name + ": exec " + String.join(" ", request.argv()))::exec, name, identified);
    boolean streamed = true;
    long offset = 0;
    while (true) {
      ExecOutputChunk chunk;
      try {
        chunk = ExecCalls.output(new ExecOutputRequest(identified.id(), offset, null), taskQueue)
            .execOutput(name, new ExecOutputRequest(identified.id(), offset, null));
      } catch (ActivityFailure failure) {
        if (failure.getCause() instanceof ApplicationFailure app
            && SandboxErrors.RUNTIME_REJECTED.equals(app.getType())) {
          streamed = false;
          break;
        }
        if (running.isCompleted()) {
          break;
        }
        throw failure;
      }
      chunk.pieces().forEach(output);
      offset = chunk.nextOffset();
      if (chunk.ended()) {
        break;
      }
    }
    ExecResult result;
    try {
      result = running.get();
    } catch (ActivityFailure failure) {
      if (this.result.isCompleted()) {
        throw notRunning("exec", finalStatus().phase());
      }
      throw failure;
    }
    if (!streamed) {
      output.accept(new OutputPiece(OutputPiece.Stream.STDOUT, result.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      output.accept(new OutputPiece(OutputPiece.Stream.STDERR, result.stderr().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return result;
  }

  /** Runs {@code argv} with the defaults of {@link ExecRequest}. */
  public ExecResult exec(String... argv) {
    return exec(ExecRequest.of(argv));
  }

  /** Recent output: live while it runs, the captured tail once it finished. */
  public LogChunk logs(LogRequest request) {
    InvalidInput.refuse("log request", request.violations());
    if (result.isCompleted()) {
      return awaitCompletion().logs().select(request);
    }
    if (events.latest(name) == null) {
      return LogChunk.empty();
    }
    SandboxActivities reads = Workflow.newActivityStub(SandboxActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(taskQueue)
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
            .build());
    try {
      return reads.logs(name, request);
    } catch (ActivityFailure failure) {
      if (result.isCompleted()) {
        return awaitCompletion().logs().select(request);
      }
      throw failure;
    }
  }

  /** Terminates the sandbox (if it still runs) and returns its final result. */
  public SandboxResult terminate() {
    // Cancelling the owner already cancelled the child's scope; a second request for the same
    // child is refused by the server and would fail the owner's workflow task.
    if (!result.isCompleted() && !scope.isCancelRequested()) {
      scope.cancel("terminated by its owner");
    }
    return awaitCompletion();
  }

  /** Waits for the sandbox to finish, in whatever phase, and returns its result. */
  public SandboxResult awaitCompletion() {
    try {
      return result.get();
    } catch (ChildWorkflowFailure failure) {
      if ((failure.getCause() instanceof TerminatedFailure || failure.getCause() instanceof TimeoutFailure)
          && Workflow.getVersion(CLOSED_OUTSIDE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        return closedOutside(failure.getCause());
      }
      if (!(failure.getCause() instanceof CanceledFailure)) {
        throw failure;
      }
      // A cancelled child closes without a value; it signalled its result before closing.
      Workflow.await(FINAL_RESULT_WAIT, () -> events.finalResult(name) != null);
      SandboxResult last = events.finalResult(name);
      if (last == null) {
        throw failure;
      }
      return last;
    }
  }

  /**
   * The change ID under which a child sandbox that Temporal terminated or timed out (its
   * workflow closed without running any of its code) completes as a {@code terminated} sandbox
   * instead of failing its owner with the child's failure: a workflow that began before it
   * replays as it ran.
   */
  static final String CLOSED_OUTSIDE = "sandbox-child-closed-outside";

  /**
   * The result of a sandbox whose workflow was terminated or timed out by Temporal: the status it
   * reported last, ended {@code terminated} with a reason that says how ({@code WorkflowTerminated},
   * {@code WorkflowTimedOut}), no logs (none were captured). What it owned is left to the reaper.
   */
  private SandboxResult closedOutside(Throwable cause) {
    SandboxStatus last = events.latest(name);
    SandboxStatus reported = last != null ? last
        : new SandboxStatus(name, null, SandboxPhase.QUEUED, null, null, null, null, null, null, null, null, 0);
    boolean timedOut = cause instanceof TimeoutFailure;
    String detail = cause instanceof TerminatedFailure terminated ? terminated.getOriginalMessage() : null;
    SandboxStatus ended = reported.closedOutside(
        timedOut ? SandboxReason.WORKFLOW_TIMED_OUT : SandboxReason.WORKFLOW_TERMINATED, null, detail,
        java.time.Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    return new SandboxResult(ended, LogChunk.empty());
  }

  /** Terminates the sandbox if it still runs. */
  @Override
  public void close() {
    if (!result.isCompleted()) {
      terminate();
    }
  }

  private SandboxStatus finalStatus() {
    try {
      return awaitCompletion().status();
    } catch (RuntimeException e) {
      return events.latest(name);
    }
  }

  private ApplicationFailure notRunning(String operation, SandboxPhase phase) {
    return ApplicationFailure.newNonRetryableFailure(
        new SandboxNotRunningException(name, operation, phase).getMessage(), SandboxErrors.NOT_RUNNING);
  }
}
