package dev.sandboxes.batch;

import dev.sandboxes.Conventions;
import dev.sandboxes.batch.internal.ItemRunner;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNames;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Fan-out from workflow code.
 *
 * <pre>{@code
 * List<SandboxResult> results = Batches.map(files, f -> SandboxSpec.builder("python:3.12-slim")
 *     .command("python3", "/app/count.py", f).build(), 10);
 * BatchProgress done = Batches.run(BatchSpec.ofCount("nightly", template, 5000, 50));
 * }</pre>
 */
public final class Batches {
  private Batches() {}

  /**
   * Runs one sandbox per item, at most {@code parallelism} at a time, inside the calling workflow,
   * and returns their results in item order (each with the last {@link BatchSpec#DEFAULT_TAIL_LINES}
   * lines of output). For a few hundred items; larger fan-outs belong in {@link #run}, whose
   * history stays bounded. Cancelling the caller terminates every running sandbox.
   */
  public static <T> List<SandboxResult> map(List<T> items, Function<T, SandboxSpec> toSpec, int parallelism) {
    if (parallelism < 1) {
      throw ApplicationFailure.newNonRetryableFailure("invalid batch: parallelism: must be at least 1, got "
          + parallelism, SandboxErrors.INVALID_SPEC);
    }
    List<SandboxSpec> specs = new ArrayList<>(items.size());
    List<Violation> violations = new ArrayList<>();
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
    if (!violations.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("invalid batch: "
          + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")), SandboxErrors.INVALID_SPEC);
    }
    ItemRunner runner = new ItemRunner((index, attempt) -> specs.get(index), parallelism, RetryPolicy.none(),
        BatchSpec.DEFAULT_TAIL_LINES, Workflow.getInfo().getTaskQueue(), result -> { });
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
    BatchSpec named = spec.name() != null ? spec
        : spec.withName("batch-" + SandboxNames.generate(Workflow.randomUUID()).substring(4, 12));
    List<Violation> violations = named.violations();
    if (!violations.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("invalid batch spec: "
          + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")), SandboxErrors.INVALID_SPEC);
    }
    BatchWorkflow child = Workflow.newChildWorkflowStub(BatchWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(Conventions.batchWorkflowId(named.name()))
        .setTaskQueue(Workflow.getInfo().getTaskQueue())
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setTypedSearchAttributes(BatchPresentation.initialSearchAttributes())
        .setStaticSummary(BatchPresentation.staticSummary(named))
        .build());
    return child.run(BatchRequest.of(named));
  }
}
