package dev.sandboxes.batch;

import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.InvalidInput;
import dev.sandboxes.workflow.SandboxOptions;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Fan-out from workflow code.
 *
 * <pre>{@code
 * List<SandboxResult> results = Batches.map(files, f -> SandboxSpec.builder("python:3.12-slim")
 *     .command("python3", "/app/count.py", f).build(), 10);
 * BatchProgress done = Batches.run(BatchSpec.ofCount("nightly", template, 5000, 50));
 * }</pre>
 *
 * <p>The sandboxes (and a batch's workflow) run on the calling workflow's task queue unless a
 * {@link SandboxOptions} names another, as with {@code Sandboxes.start}.
 */
public final class Batches {
  /**
   * The most items {@link #map} runs: each is a child of the calling workflow, whose history and
   * pending children Temporal bounds.
   */
  public static final int MAX_MAP_ITEMS = 1000;

  private Batches() {}

  /**
   * Runs one sandbox per item, at most {@code parallelism} at a time, inside the calling workflow,
   * and returns their results in item order (each with the last {@link BatchSpec#DEFAULT_TAIL_LINES}
   * lines of output). For a few hundred items; larger fan-outs belong in {@link #run}, whose
   * history stays bounded. Cancelling the caller terminates every running sandbox.
   */
  public static <T> List<SandboxResult> map(List<T> items, Function<T, SandboxSpec> toSpec, int parallelism) {
    return map(items, toSpec, parallelism, SandboxOptions.defaults());
  }

  /**
   * {@link #map(List, Function, int)} with the sandboxes started as {@code options} says: on its
   * task queue (where workers with the sandbox plugin poll) instead of the calling workflow's.
   */
  public static <T> List<SandboxResult> map(List<T> items, Function<T, SandboxSpec> toSpec, int parallelism,
      SandboxOptions options) {
    List<Violation> violations = new ArrayList<>();
    if (parallelism < 1 || parallelism > BatchSpec.MAX_PARALLELISM) {
      violations.add(new Violation("parallelism", "must be between 1 and " + BatchSpec.MAX_PARALLELISM
          + ", got " + parallelism));
    }
    if (items.size() > MAX_MAP_ITEMS) {
      violations.add(new Violation("items", "must be at most " + MAX_MAP_ITEMS + " for Batches.map, got "
          + items.size() + "; run larger fan-outs with Batches.run"));
    }
    InvalidInput.refuse("batch", violations);
    List<SandboxSpec> specs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      SandboxSpec spec = toSpec.apply(items.get(i));
      if (spec.name() == null) {
        spec = spec.withName(SandboxNames.generate(Workflow.randomUUID()));
      }
      for (Violation v : spec.violations()) {
        violations.add(new Violation("items[" + i + "]." + v.field(), v.message()));
      }
      specs.add(spec);
    }
    InvalidInput.refuse("batch", violations);
    ItemRunner runner = new ItemRunner((index, attempt) -> specs.get(index), parallelism, RetryPolicy.none(),
        BatchSpec.DEFAULT_TAIL_LINES, taskQueue(options), result -> { });
    runner.run(IntStream.range(0, specs.size()).boxed().toList());
    List<SandboxResult> results = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      results.add(runner.sandboxResults().get(i));
    }
    return results;
  }

  /**
   * Runs a batch as a child {@link BatchWorkflow} ({@code batch/<name>}, named when the spec has no
   * name) and returns its final counts; item results are read with {@code BatchClient}.
   */
  public static BatchProgress run(BatchSpec spec) {
    return run(spec, SandboxOptions.defaults());
  }

  /**
   * {@link #run(BatchSpec)} with the batch workflow, and so its items' sandboxes, on the task
   * queue {@code options} names instead of the calling workflow's.
   */
  public static BatchProgress run(BatchSpec spec, SandboxOptions options) {
    BatchSpec named = spec.name() != null ? spec
        : spec.withName("batch-" + SandboxNames.generate(Workflow.randomUUID()).substring(4, 12));
    InvalidInput.refuse("batch spec", named.violations());
    BatchWorkflow child = Workflow.newChildWorkflowStub(BatchWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.batchWorkflowId(named.name()))
        .setTaskQueue(taskQueue(options))
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setTypedSearchAttributes(BatchPresentation.initialSearchAttributes())
        .setStaticSummary(BatchPresentation.staticSummary(named))
        .build());
    return child.run(BatchRequest.of(named));
  }

  private static String taskQueue(SandboxOptions options) {
    java.util.Objects.requireNonNull(options, "options");
    return options.taskQueue() != null ? options.taskQueue() : Workflow.getInfo().getTaskQueue();
  }
}
