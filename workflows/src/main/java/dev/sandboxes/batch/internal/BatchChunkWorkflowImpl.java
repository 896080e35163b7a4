package dev.sandboxes.batch.internal;

import dev.sandboxes.batch.BatchChunkWorkflow;
import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.ChunkRequest;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.batch.ItemResults;
import dev.sandboxes.batch.ItemRunner;
import dev.sandboxes.model.SandboxPhase;
import io.temporal.common.VersioningBehavior;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Runs one chunk's items with an {@link ItemRunner}; its history holds at most a few hundred children. */
public class BatchChunkWorkflowImpl implements BatchChunkWorkflow {
  private ChunkRequest request;
  private ItemRunner runner;
  private final Counts counts = new Counts();
  private Instant startedAt;
  private Instant finishedAt;
  private String state = BatchProgress.RUNNING;

  @Override
  public BatchProgress run(ChunkRequest request) {
    this.request = request;
    startedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    runner = new ItemRunner(request::itemSpec, request.parallelism(), request.retry(), request.tailLines(),
        Workflow.getInfo().getTaskQueue(), this::finished);
    Workflow.setCurrentDetails(Counts.details(progress()));
    try {
      runner.run(IntStream.range(request.from(), request.to()).boxed().toList());
      state = counts.failedOrWorse() > 0 ? BatchProgress.FAILED : BatchProgress.SUCCEEDED;
    } catch (CanceledFailure e) {
      state = BatchProgress.CANCELLED;
      throw e;
    } finally {
      finishedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      Workflow.setCurrentDetails(Counts.details(progress()));
    }
    return progress();
  }

  private void finished(ItemResult result) {
    counts.add(result);
    if (request.failFast() && !result.succeeded() && !ItemResult.SKIPPED.equals(result.phase())
        && !runner.stopping()) {
      runner.stop();
    }
    Workflow.setCurrentDetails(Counts.details(progress()));
  }

  @Override
  public BatchProgress progress() {
    int total = request == null ? 0 : request.to() - request.from();
    return counts.progress(request == null ? null : request.batch(), state, total,
        runner == null ? 0 : runner.active(), runner == null ? 0 : runner.retries(), 0, startedAt, finishedAt);
  }

  @Override
  public ItemResults results() {
    List<ItemResult> ordered = new ArrayList<>(runner == null ? List.of() : runner.results().values());
    ordered.sort(java.util.Comparator.comparingInt(ItemResult::index));
    return new ItemResults(ordered);
  }

  /** Outcome counts, shared by chunk and batch. */
  static final class Counts {
    int succeeded;
    int failed;
    int terminated;
    int skipped;

    void add(ItemResult result) {
      switch (ItemRunner.outcomeOf(result)) {
        case "succeeded" -> succeeded++;
        case "skipped" -> skipped++;
        case "terminated" -> terminated++;
        default -> failed++;
      }
    }

    void add(BatchProgress part) {
      succeeded += part.succeeded();
      failed += part.failed();
      terminated += part.terminated();
      skipped += part.skipped();
    }

    int failedOrWorse() {
      return failed + terminated + skipped;
    }

    int done() {
      return succeeded + failed + terminated + skipped;
    }

    BatchProgress progress(String name, String state, int total, int running, int retries, int chunks,
        Instant startedAt, Instant finishedAt) {
      return new BatchProgress(name, state, total, running, succeeded, failed, terminated, skipped, retries,
          chunks, startedAt, finishedAt);
    }

    /** Markdown for the Temporal UI's current details. */
    static String details(BatchProgress p) {
      return "- **State:** " + p.state() + "\n"
          + "- **Done:** " + p.done() + " of " + p.total() + " (" + p.succeeded() + " succeeded, " + p.failed()
          + " failed, " + p.terminated() + " terminated, " + p.skipped() + " skipped)\n"
          + "- **Running:** " + p.running() + "\n"
          + "- **Retries:** " + p.retries() + "\n";
    }
  }

  /**
   * This workflow on a versioned worker: pinned, like the batch whose version it inherits.
   *
   * <p>Only versioned workers register it (see {@code WorkflowTypes.register} for why).
   */
  public static final class Versioned extends BatchChunkWorkflowImpl {
    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.PINNED)
    public BatchProgress run(ChunkRequest request) {
      return super.run(request);
    }
  }
}
