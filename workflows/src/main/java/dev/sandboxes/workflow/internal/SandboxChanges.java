package dev.sandboxes.workflow.internal;

import io.temporal.workflow.Workflow;

/**
 * The changes made to the sandbox workflow's commands since histories were first recorded, each
 * behind {@link Workflow#getVersion} (CONTRIBUTING.md, "Changing a workflow"). A change ID is
 * never reused, and each question is asked at the same point of the run as when its histories
 * were recorded: the corpus ({@code HistoryCorpusTest}) replays them all.
 */
final class SandboxChanges {
  private SandboxChanges() {}

  /**
   * Asked first in every run. 1: the phase timers (histories recorded before them replay
   * without). 2: the cleanup is also decided here, at the start, as one activity; before it,
   * the cleanup asked {@link #ONE_CLEANUP_ACTIVITY} when it began. That late question is unsafe
   * when a cancellation request starts the cleanup: replay (SDK 1.38) runs the code the request
   * wakes before it knows the workflow task's markers, answers the default version, and then
   * fails on the marker the original run recorded ("Version is already set to -1"); seen for a
   * sandbox cancelled while its watch activity was scheduled but not yet started.
   */
  static final String PHASE_TIMEOUTS = "phase-timeouts";
  /** {@link #PHASE_TIMEOUTS}'s version from which the cleanup is decided at the start. */
  static final int CLEANUP_DECIDED_AT_START = 2;
  /**
   * {@link #PHASE_TIMEOUTS}'s version from which every exec has an ID (its update's) and its
   * activity is retried after a lost worker, re-attaching to the command where the sandbox keeps
   * its execs; before it, an exec ran once and a lost worker made its outcome unknown. Decided at
   * the start, with the other start-time changes, so that it costs no marker of its own.
   */
  static final int DURABLE_EXEC = 3;
  /**
   * {@link #PHASE_TIMEOUTS}'s version from which a batch item is created by
   * {@code createAndAwaitEnd}, which watches for a quick end ({@link SandboxCreation#AWAIT_END}) and
   * reads an ended item's log tail: an item whose command ends within it goes from the create
   * straight to a delete, without a watch activity, the workflow tasks around it and the
   * capture's checkpoint heartbeat (two activities and three workflow tasks per item instead of
   * three and four). Decided at the start, so it costs no marker. From it, too, a run no longer
   * asks {@link #SETTLED_CREATE} (every run that can reach it takes the settled create): one
   * marker event fewer per sandbox (not an action: the two markers were recorded in one workflow
   * task, which Temporal bills once).
   */
  static final int QUICK_END = 4;
  /**
   * {@link #PHASE_TIMEOUTS}'s version from which the run keeps its status in the workflow's memo
   * ({@code SandboxPresentation.STATUS_MEMO}), upserted whenever it changes past {@code queued}
   * (a phase, an exec count), so that {@code list} answers from the visibility store alone,
   * without a query per sandbox. Decided at the start, so it costs no marker; one memo event per
   * change of status.
   */
  static final int STATUS_MEMO = 5;
  /**
   * {@link #PHASE_TIMEOUTS}'s version from which the memo also holds a queued sandbox's status
   * once it has a reason (unschedulable, waiting for quota or a volume: what {@code list} must
   * show), and the status after the cleanup (a failed delete adds to its message). Before it, a
   * queued sandbox kept nothing and the memo ended with the status the cleanup started from.
   */
  static final int STATUS_MEMO_WHOLE = 6;
  /**
   * A new sandbox whose input carried fields its types do not know ({@code spec.cmd} for
   * {@code spec.command}; found by the plugin's data converter, {@code UnknownFields}) fails at
   * its start as {@code InvalidSandboxSpec}, naming them; before this change they were dropped
   * and the sandbox ran without them. Asked only when there are such fields (the same payload
   * always has the same ones), so other runs record no marker, and a history recorded without the
   * refusal (before it, or by a worker whose converter did not look) holds no marker at version
   * 1 and replays without it.
   */
  static final String REFUSE_UNKNOWN_FIELDS = "refuse-unknown-fields";
  /**
   * A cancellation waits for a create in flight; histories recorded before it replay with the
   * create abandoned on cancellation.
   */
  static final String SETTLED_CREATE = "cancel-waits-for-create";
  /**
   * The logs are captured and the runtime object deleted in one activity (one round trip fewer
   * per sandbox); histories recorded before it replay with two.
   */
  static final String ONE_CLEANUP_ACTIVITY = "cleanup-in-one-activity";

  /** The version of {@link #PHASE_TIMEOUTS} this run takes; asked at the start of every run. */
  static int atStart() {
    return Workflow.getVersion(PHASE_TIMEOUTS, Workflow.DEFAULT_VERSION, STATUS_MEMO_WHOLE);
  }

  /**
   * Whether a cancellation waits for the create in flight; asked once, before the first create,
   * by a run whose {@link #atStart} version is below {@link #QUICK_END} (later runs always wait
   * and record no marker for it).
   */
  static boolean settledCreate(int startVersion) {
    return startVersion >= QUICK_END || Workflow.getVersion(SETTLED_CREATE, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * The cleanup of a run that did not decide it at the start: 1 (one activity), or
   * {@link Workflow#DEFAULT_VERSION} (logs, then delete) for a history recorded before it.
   */
  static int oneCleanupActivity() {
    return Workflow.getVersion(ONE_CLEANUP_ACTIVITY, Workflow.DEFAULT_VERSION, 1);
  }

  /**
   * The unknown fields a new sandbox's start refuses ({@link #REFUSE_UNKNOWN_FIELDS}): those
   * found, when this run is at the change's version; none otherwise.
   */
  static java.util.List<dev.sandboxes.model.Violation> unknownFieldsRefused(java.util.List<dev.sandboxes.model.Violation> found) {
    return found.isEmpty() || Workflow.getVersion(REFUSE_UNKNOWN_FIELDS, Workflow.DEFAULT_VERSION, 1) < 1
        ? java.util.List.of() : found;
  }
}
