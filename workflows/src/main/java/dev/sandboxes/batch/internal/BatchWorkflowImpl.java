package dev.sandboxes.batch.internal;

import dev.sandboxes.batch.BatchChunkWorkflow;
import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.BatchWorkflow;
import dev.sandboxes.batch.internal.BatchChunkWorkflowImpl.Counts;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.SearchAttributeKeys;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.VersioningBehavior;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowVersioningBehavior;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs a batch as a sequence of chunk workflows and keeps only counts, so its own history grows
 * by a handful of events per chunk; it continues as new after {@link #CHUNKS_PER_RUN} chunks.
 */
public class BatchWorkflowImpl implements BatchWorkflow {
  static final int CHUNKS_PER_RUN = 100;
  /** Item attempts per chunk: a chunk's history stays well under Temporal's 4,096-event suggestion. */
  static final int ATTEMPTS_PER_CHUNK = 400;
  static final int MAX_CHUNK = 200;
  /**
   * A new batch whose input carried fields its types do not know ({@code spec.template.cmd};
   * found by the plugin's data converter, {@link UnknownFields}) fails at its start as
   * {@code InvalidSandboxSpec}, naming them; histories recorded before this change replay with
   * those fields dropped, as they ran. Asked at the start of a new run (not a continued one), and
   * only when there are such fields (the same payload always has the same ones), so other runs
   * record no marker.
   */
  static final String REFUSE_UNKNOWN_FIELDS = "refuse-unknown-fields";

  private BatchSpec spec;
  private final Counts counts = new Counts();
  private int retries;
  private int chunksDone;
  private int current = -1;
  private String state = BatchProgress.RUNNING;
  private Instant startedAt;
  private Instant finishedAt;

  /** Items per chunk for a spec: fewer when items may be retried. */
  public static int chunkSize(BatchSpec spec) {
    return Math.max(10, Math.min(MAX_CHUNK, ATTEMPTS_PER_CHUNK / spec.retry().attempts()));
  }

  @Override
  public BatchProgress run(BatchRequest request) {
    spec = request.spec();
    if (spec == null) {
      // no spec at all (a caller's misspelt "spec"): fail at once, naming it, instead of failing
      // every workflow task on it
      List<String> why = new ArrayList<>(List.of("spec: must be set"));
      UnknownFields.of(request).forEach(v -> why.add(v.toString()));
      state = BatchProgress.FAILED;
      throw ApplicationFailure.newNonRetryableFailure("invalid batch request: " + String.join("; ", why),
          SandboxErrors.INVALID_SPEC);
    }
    if (spec.name() == null) {
      spec = spec.withName(WorkflowIds.batchNameOf(Workflow.getInfo().getWorkflowId()));
    }
    List<Violation> unknown = new ArrayList<>();
    if (request.carried() == null) {
      unknown.addAll(UnknownFields.of(request));
      unknown.addAll(request.violations());
    }
    rejectInvalid(unknown.isEmpty()
        || Workflow.getVersion(REFUSE_UNKNOWN_FIELDS, Workflow.DEFAULT_VERSION, 1) < 1 ? List.of() : unknown);
    BatchProgress carried = request.carried();
    if (carried != null) {
      counts.add(carried);
      retries = carried.retries();
      startedAt = carried.startedAt();
    } else {
      startedAt = now();
    }
    chunksDone = request.nextChunk();
    int size = chunkSize(spec);
    int chunks = (spec.size() + size - 1) / size;
    int startedThisRun = 0;
    try {
      while (chunksDone < chunks) {
        if (spec.failFast() && counts.failedOrWorse() > 0) {
          // the rest never starts
          counts.skipped += spec.size() - chunksDone * size;
          break;
        }
        int perRun = request.chunksPerRun() == null ? CHUNKS_PER_RUN : request.chunksPerRun();
        if (startedThisRun >= perRun || Workflow.getInfo().isContinueAsNewSuggested()) {
          Workflow.continueAsNew(request.continued(progress(), chunksDone));
        }
        runChunk(chunksDone, chunksDone * size, Math.min(spec.size(), (chunksDone + 1) * size));
        chunksDone++;
        startedThisRun++;
      }
      state = counts.failedOrWorse() > 0 ? BatchProgress.FAILED : BatchProgress.SUCCEEDED;
    } catch (CanceledFailure e) {
      state = BatchProgress.CANCELLED;
      Workflow.newDetachedCancellationScope(this::recordEnd).run();
      throw e;
    }
    recordEnd();
    return progress();
  }

  private void rejectInvalid(List<Violation> unknownFields) {
    List<Violation> violations = new ArrayList<>(unknownFields);
    violations.addAll(spec.violations());
    String idName = WorkflowIds.batchNameOf(Workflow.getInfo().getWorkflowId());
    if (idName == null || !idName.equals(spec.name())) {
      violations.add(new Violation("name", "must match the workflow ID "
          + WorkflowIds.batchWorkflowId(String.valueOf(spec.name())) + ", got " + Workflow.getInfo().getWorkflowId()));
    }
    if (!violations.isEmpty()) {
      state = BatchProgress.FAILED;
      throw ApplicationFailure.newNonRetryableFailure("invalid batch spec: "
          + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")), SandboxErrors.INVALID_SPEC);
    }
  }

  private void runChunk(int index, int from, int to) {
    current = index;
    BatchChunkWorkflow chunk = Workflow.newChildWorkflowStub(BatchChunkWorkflow.class,
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(WorkflowIds.batchChunkWorkflowId(spec.name(), index))
            .setTaskQueue(Workflow.getInfo().getTaskQueue())
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
            .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
            .setStaticSummary("items " + from + ".." + (to - 1) + " of batch " + spec.name())
            .build());
    BatchProgress done;
    try {
      done = chunk.run(spec.chunk(from, to));
    } catch (ChildWorkflowFailure failure) {
      if (failure.getCause() instanceof CanceledFailure cancelled) {
        throw cancelled;
      }
      // A chunk that failed as a workflow (a bug, not an item outcome): its items count as failed.
      done = new BatchProgress(spec.name(), BatchProgress.FAILED, to - from, 0, 0, to - from, 0, 0, 0, 0, null, null);
    }
    counts.add(done);
    retries += done.retries();
    current = -1;
    Workflow.upsertTypedSearchAttributes(SearchAttributeKeys.BATCH_DONE.valueSet((long) counts.done()));
    Workflow.setCurrentDetails(Counts.details(progress()));
  }

  private void recordEnd() {
    finishedAt = now();
    Workflow.upsertTypedSearchAttributes(SearchAttributeKeys.BATCH_STATE.valueSet(state),
        SearchAttributeKeys.BATCH_DONE.valueSet((long) counts.done()));
    Workflow.setCurrentDetails(Counts.details(progress()));
  }

  @Override
  public BatchProgress progress() {
    return counts.progress(spec == null ? null : spec.name(), state, spec == null ? 0 : spec.size(), 0, retries,
        chunksDone + (current >= 0 ? 1 : 0), startedAt, finishedAt);
  }

  @Override
  public int currentChunk() {
    return current;
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  /**
   * This workflow on a versioned worker: pinned, so a batch finishes on the worker version that
   * started it (its chunks and its continue-as-new runs inherit that version).
   *
   * <p>Only versioned workers register it (see {@code WorkflowTypes.register} for why).
   */
  public static final class Versioned extends BatchWorkflowImpl {
    @Override
    @WorkflowVersioningBehavior(VersioningBehavior.PINNED)
    public BatchProgress run(BatchRequest request) {
      return super.run(request);
    }
  }
}
