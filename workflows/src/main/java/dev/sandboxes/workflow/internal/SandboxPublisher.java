package dev.sandboxes.workflow.internal;

import dev.sandboxes.metrics.SandboxMetrics;
import dev.sandboxes.model.LogChunk;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.workflow.SandboxEventListener;
import dev.sandboxes.workflow.SandboxPresentation;
import dev.sandboxes.workflow.SandboxResult;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * How a sandbox's workflow shows its phase: the {@code SandboxPhase} search attribute (upserted
 * once per change; the identity attributes ride along with the first upsert of a run, at no
 * extra action), its whole status in the memo (once it is past {@code queued}, upserted per
 * change; {@link SandboxPresentation#STATUS_MEMO}), the current details of the workflow page,
 * and the parent's signal (the author API's) once the sandbox runs and when it ends cancelled.
 */
final class SandboxPublisher {
  private static final Logger log = Workflow.getLogger(SandboxPublisher.class);

  private final SandboxSpec spec;
  private final boolean notifyParent;
  /** Whether this run keeps its status in the memo ({@link SandboxChanges#STATUS_MEMO}). */
  private final boolean statusMemo;
  /** Whether it keeps a queued status with a reason too ({@link SandboxChanges#STATUS_MEMO_WHOLE}). */
  private final boolean queuedMemo;
  /** The status last written to the memo (null before this run's first). */
  private SandboxStatus memoed;
  /** The phase last written to the search attributes. */
  private String upsertedPhase;
  private boolean identityUpserted;
  private boolean parentNotified;
  /** The phase last reported to the metrics (null before a new sandbox's first). */
  private SandboxPhase reportedPhase;

  /**
   * For a run that starts with {@code carried} (null for a new sandbox, whose starter set the
   * attributes of a queued one). Not read back from the search attributes: replay from a
   * recorded history does not restore them, and the decision to upsert must replay alike.
   */
  SandboxPublisher(SandboxSpec spec, boolean notifyParent, SandboxStatus carried, int startVersion) {
    this.spec = spec;
    this.notifyParent = notifyParent;
    this.statusMemo = startVersion >= SandboxChanges.STATUS_MEMO;
    this.queuedMemo = startVersion >= SandboxChanges.STATUS_MEMO_WHOLE;
    SandboxPhase phase = carried == null ? SandboxPhase.QUEUED : carried.phase();
    upsertedPhase = phase.wireName();
    parentNotified = phase != SandboxPhase.QUEUED && phase != SandboxPhase.CREATING;
    reportedPhase = carried == null ? null : carried.phase();
  }

  /** Shows {@code status}, whose phase the sandbox just entered. */
  void entered(SandboxStatus status) {
    SandboxPhase next = status.phase();
    // the workflow's metrics scope reports nothing while a history replays
    SandboxMetrics.phaseEntered(Workflow.getMetricsScope(), reportedPhase, status,
        java.time.Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    reportedPhase = next;
    if (!next.wireName().equals(upsertedPhase)) {
      Workflow.upsertTypedSearchAttributes(SandboxPresentation.phaseUpdates(spec, next, !identityUpserted));
      identityUpserted = true;
      upsertedPhase = next.wireName();
    }
    details(status);
    if (next == SandboxPhase.RUNNING && notifyParent && !parentNotified) {
      parentNotified = true;
      signalParent(status.name(), new SandboxResult(status, LogChunk.empty()));
    }
  }

  /**
   * Refreshes the workflow page's details (e.g. the exec count) and, when it changed, the memo's
   * status. A sandbox just queued has none there (its search attributes and start time say all
   * of it); a queued one with a reason has, from {@link SandboxChanges#STATUS_MEMO_WHOLE}.
   */
  void details(SandboxStatus status) {
    Workflow.setCurrentDetails(SandboxPresentation.currentDetails(status));
    boolean keep = status.phase() != SandboxPhase.QUEUED
        || queuedMemo && (status.reason() != null || status.message() != null);
    if (statusMemo && keep && !status.equals(memoed)) {
      Workflow.upsertMemo(SandboxPresentation.statusMemo(status));
      memoed = status;
    }
  }

  /** Tells the parent the sandbox's end, when it asked to be told. */
  void ended(SandboxResult result) {
    if (notifyParent) {
      signalParent(result.status().name(), result);
    }
  }

  private void signalParent(String name, SandboxResult event) {
    Workflow.getInfo().getParentWorkflowId().ifPresent(parent -> {
      try {
        Workflow.newUntypedExternalWorkflowStub(parent).signal(SandboxEventListener.SIGNAL, event);
      } catch (RuntimeException e) {
        // The parent closed: nobody is left to tell, and the sandbox goes on regardless.
        log.warn("sandbox {}: could not signal parent {}: {}", name, parent, e.getMessage());
      }
    });
  }
}
