package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.WorkflowIds;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * Sandboxes from workflow code. Each sandbox is a child {@link SandboxWorkflow}; it is
 * terminated when the calling workflow is cancelled or closes, or when its handle is closed.
 *
 * <pre>{@code
 * try (Sandbox box = Sandboxes.start(SandboxSpec.builder("python:3.12-slim").build())) {
 *   ExecResult r = box.exec("python3", "-c", "print(6 * 7)");
 * }
 * SandboxResult done = Sandboxes.run(SandboxSpec.builder("busybox:1.36").command("echo", "hi").build());
 * }</pre>
 *
 * <p>Invalid input fails with an {@code ApplicationFailure} of type
 * {@link SandboxErrors#INVALID_SPEC} whose message names each field and rule.
 *
 * <p>Many sandboxes at once: {@code Batches.map} (inside the calling workflow) and
 * {@code Batches.run} (a child batch workflow) of {@code dev.sandboxes.batch}, which builds on
 * this package.
 */
public final class Sandboxes {
  private Sandboxes() {}

  /**
   * Starts a sandbox on the calling workflow's task queue, as
   * {@link #start(SandboxSpec, SandboxOptions)}.
   */
  public static Sandbox start(SandboxSpec spec) {
    return start(spec, SandboxOptions.defaults());
  }

  /**
   * Starts a sandbox as a child workflow and returns its handle once the child has started; the
   * sandbox itself may still be queued or creating ({@link Sandbox#awaitRunning()} waits for it). A
   * spec without a name gets a generated one. A spec that breaks a rule fails with type
   * {@link SandboxErrors#INVALID_SPEC}; a start failure, such as a name used before, is thrown here
   * rather than at first use.
   */
  public static Sandbox start(SandboxSpec spec, SandboxOptions options) {
    InvalidInput.refuse("sandbox spec", spec.violations());
    String name = spec.name() != null ? spec.name() : SandboxNames.generate(Workflow.randomUUID());
    SandboxSpec named = spec.withName(name);
    String taskQueue = options.taskQueue() != null ? options.taskQueue() : Workflow.getInfo().getTaskQueue();
    SandboxEvents events = SandboxEvents.current();
    SandboxWorkflow child = Workflow.newChildWorkflowStub(SandboxWorkflow.class, childOptions(named, taskQueue));
    List<Promise<SandboxResult>> result = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(
        () -> result.add(Async.function(child::run, new SandboxRequest(named, true, null, null))));
    scope.run();
    // Surfaces "name already used" and other start failures here rather than at first use.
    Workflow.getWorkflowExecution(child).get();
    return new Sandbox(name, taskQueue, result.get(0), scope, events);
  }

  /**
   * How a sandbox starts as a child workflow: {@code sandbox/<name>} never reused, cancelled when
   * its parent closes, and its cancellation awaited (so its pod is gone when the parent goes on).
   */
  public static ChildWorkflowOptions childOptions(SandboxSpec named, String taskQueue) {
    return ChildWorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.sandboxWorkflowId(named.name()))
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(named))
        .setStaticSummary(SandboxPresentation.staticSummary(named))
        .build();
  }

  /** Runs a sandbox to completion and returns its result, whatever its final phase. */
  public static SandboxResult run(SandboxSpec spec) {
    return run(spec, SandboxOptions.defaults());
  }

  /** Runs a sandbox to completion with {@code options} and returns its result, whatever its final phase. */
  public static SandboxResult run(SandboxSpec spec, SandboxOptions options) {
    return start(spec, options).awaitCompletion();
  }
}
