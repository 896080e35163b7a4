package dev.sandboxes.batch;

import dev.sandboxes.metrics.SandboxMetrics;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.SandboxWorkflow;
import dev.sandboxes.workflow.Sandboxes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import dev.sandboxes.model.SandboxStatus;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Runs items as child sandbox workflows from workflow code, at most {@code parallelism} at a
 * time, retrying by policy (each attempt a new sandbox, after a durable timer), and, when asked
 * to stop (fail-fast, cancellation), cancelling the running ones (which terminates and cleans up
 * their sandboxes) and starting no more. Deterministic: item order, timers and child starts are
 * all decided by workflow code. It runs {@link Batches#map} inside the calling workflow and each
 * chunk of a batch ({@code BatchChunkWorkflow}).
 */
public final class ItemRunner {
  /** Called when an item has its final outcome; {@link #stop()} may be called from it. */
  public interface Listener {
    /**
     * Receives an item's final outcome (skipped included), once per item; attempts that are retried
     * are not reported.
     */
    void finished(ItemResult result);
  }

  private record Attempt(int index, int attempt) {}

  private record Running(Attempt attempt, String name, Promise<SandboxResult> result, CancellationScope scope) {}

  private final BiFunction<Integer, Integer, SandboxSpec> specOf;
  private final int parallelism;
  private final RetryPolicy retry;
  private final int tailLines;
  private final String taskQueue;
  private final Listener listener;

  private final Deque<Attempt> ready = new ArrayDeque<>();
  private final List<Running> running = new ArrayList<>();
  private final Map<Promise<Void>, Attempt> backingOff = new LinkedHashMap<>();
  private final Map<Integer, ItemResult> results = new LinkedHashMap<>();
  private final Map<Integer, SandboxResult> sandboxResults = new LinkedHashMap<>();
  private boolean stopping;
  private int retries;

  /**
   * @param specOf the spec of attempt {@code (index, attempt)}, named uniquely per attempt
   * @param tailLines output lines each child returns (its {@code resultLines})
   */
  public ItemRunner(BiFunction<Integer, Integer, SandboxSpec> specOf, int parallelism, RetryPolicy retry,
      int tailLines, String taskQueue, Listener listener) {
    this.specOf = specOf;
    this.parallelism = parallelism;
    this.retry = retry;
    this.tailLines = tailLines;
    this.taskQueue = taskQueue;
    this.listener = listener;
  }

  /** Runs the items {@code indices} to their final outcome (or until stopped); returns them in order. */
  public List<ItemResult> run(List<Integer> indices) {
    indices.forEach(i -> ready.add(new Attempt(i, 1)));
    try {
      while (!ready.isEmpty() || !running.isEmpty() || !backingOff.isEmpty()) {
        while (!stopping && running.size() < parallelism && !ready.isEmpty()) {
          start(ready.poll());
        }
        if (stopping) {
          skipWaiting();
        }
        if (running.isEmpty() && backingOff.isEmpty()) {
          break;
        }
        Workflow.await(() -> stopping && !backingOff.isEmpty()
            || running.stream().anyMatch(r -> r.result().isCompleted())
            || backingOff.keySet().stream().anyMatch(Promise::isCompleted));
        collectFinished();
        collectRetries();
      }
    } catch (CanceledFailure e) {
      // The calling workflow was cancelled: every running sandbox is cancelled with it (same scope
      // tree); wait, outside that scope, until each has cleaned up and record what happened.
      stopping = true;
      Workflow.newDetachedCancellationScope(() -> {
        skipWaiting();
        while (!running.isEmpty()) {
          Workflow.await(() -> running.stream().anyMatch(r -> r.result().isCompleted()));
          collectFinished();
        }
      }).run();
      throw e;
    }
    List<ItemResult> ordered = new ArrayList<>();
    for (int index : indices) {
      ordered.add(results.get(index));
    }
    return ordered;
  }

  /** Starts no more items and cancels the running ones; {@link #run} returns once they are done. */
  public void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    for (Running r : running) {
      r.scope().cancel();
    }
  }

  /** True once {@link #stop()} was called or the calling workflow was cancelled. */
  public boolean stopping() {
    return stopping;
  }

  /** Sandboxes running now (retries waiting for their timer included). */
  public int active() {
    return running.size() + backingOff.size();
  }

  /**
   * How many retries were scheduled so far, including those still waiting for their backoff (which
   * a stop skips).
   */
  public int retries() {
    return retries;
  }

  /** The final results so far, by index. */
  public Map<Integer, ItemResult> results() {
    return results;
  }

  /** The children's own results (trimmed logs), by index, for callers that want them whole. */
  public Map<Integer, SandboxResult> sandboxResults() {
    return sandboxResults;
  }

  private void start(Attempt attempt) {
    SandboxSpec spec = specOf.apply(attempt.index(), attempt.attempt());
    SandboxWorkflow child = Workflow.newChildWorkflowStub(SandboxWorkflow.class,
        Sandboxes.childOptions(spec, taskQueue));
    List<Promise<SandboxResult>> result = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(() -> result.add(
        Async.function(child::run, new SandboxRequest(spec, false, null, null, tailLines))));
    scope.run();
    running.add(new Running(attempt, spec.name(), result.get(0), scope));
    if (attempt.attempt() == 1) {
      Workflow.getMetricsScope().counter(SandboxMetrics.BATCH_ITEMS_STARTED).inc(1);
    }
  }

  /** Records an item's final outcome and hands it to the listener. */
  private void finish(ItemResult result) {
    results.put(result.index(), result);
    SandboxMetrics.outcome(Workflow.getMetricsScope(), SandboxMetrics.BATCH_ITEMS_FINISHED, outcomeOf(result));
    listener.finished(result);
  }

  /** An item's outcome as batches count it: succeeded, skipped, terminated or failed. */
  public static String outcomeOf(ItemResult result) {
    if (result.succeeded()) {
      return "succeeded";
    } else if (ItemResult.SKIPPED.equals(result.phase())) {
      return "skipped";
    } else if (SandboxPhase.TERMINATED.wireName().equals(result.phase())) {
      return "terminated";
    }
    return "failed";
  }

  private void collectFinished() {
    for (Running r : List.copyOf(running)) {
      if (!r.result().isCompleted()) {
        continue;
      }
      running.remove(r);
      ItemResult outcome = outcome(r);
      SandboxPhase phase = SandboxPhase.parse(outcome.phase());
      if (!stopping && r.attempt().attempt() < retry.attempts()
          && retry.retries(phase, outcome.reason(), outcome.exitCode())) {
        Attempt next = new Attempt(r.attempt().index(), r.attempt().attempt() + 1);
        backingOff.put(Workflow.newTimer(retry.backoff(next.attempt())), next);
        retries++;
        continue;
      }
      finish(outcome);
    }
  }

  private void collectRetries() {
    for (Map.Entry<Promise<Void>, Attempt> e : List.copyOf(backingOff.entrySet())) {
      if (e.getKey().isCompleted()) {
        backingOff.remove(e.getKey());
        ready.addFirst(e.getValue());
      }
    }
  }

  /** Once stopping: items not started, and retries not yet started, are skipped. */
  private void skipWaiting() {
    List<Attempt> skipped = new ArrayList<>(ready);
    skipped.addAll(backingOff.values());
    ready.clear();
    backingOff.clear();
    for (Attempt a : skipped) {
      ItemResult result = new ItemResult(a.index(), null, ItemResult.SKIPPED, null, "BatchStopped",
          "not started: the batch stopped", a.attempt() - 1, List.of());
      finish(result);
    }
  }

  private ItemResult outcome(Running r) {
    int index = r.attempt().index();
    int attempts = r.attempt().attempt();
    try {
      SandboxResult done = r.result().get();
      sandboxResults.put(index, done);
      List<String> tail = done.logs().lines().stream().map(LogLine::text).toList();
      return new ItemResult(index, r.name(), done.phase().wireName(), done.exitCode(), done.status().reason(),
          done.status().message(), attempts, tail);
    } catch (ChildWorkflowFailure failure) {
      Throwable cause = failure.getCause();
      if (cause instanceof CanceledFailure) {
        return cancelled(index, r.name(), attempts);
      }
      if ((cause instanceof TerminatedFailure || cause instanceof TimeoutFailure)
          && Workflow.getVersion(ITEM_CLOSED_OUTSIDE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        // its workflow was closed by Temporal (an operator's terminate, an execution timeout):
        // the item's sandbox was terminated, as its clients report it
        SandboxReason how = cause instanceof TimeoutFailure ? SandboxReason.WORKFLOW_TIMED_OUT
            : SandboxReason.WORKFLOW_TERMINATED;
        return new ItemResult(index, r.name(), SandboxPhase.TERMINATED.wireName(), null, how.wireName(),
            SandboxStatus.closedOutsideMessage(how, null), attempts, List.of());
      }
      String reason = cause instanceof ApplicationFailure app ? app.getType() : "ChildWorkflowFailed";
      String message = cause instanceof ApplicationFailure app ? app.getOriginalMessage()
          : String.valueOf(cause == null ? failure.getMessage() : cause.getMessage());
      return new ItemResult(index, r.name(), SandboxPhase.FAILED.wireName(), null, reason, message, attempts,
          List.of());
    } catch (CanceledFailure cancelled) {
      return cancelled(index, r.name(), attempts);
    }
  }

  /**
   * The change ID under which an item whose sandbox workflow Temporal terminated or timed out ends
   * {@code terminated} ({@code WorkflowTerminated}, {@code WorkflowTimedOut}) instead of
   * {@code failed} ({@code ChildWorkflowFailed}): a chunk that began before it replays as it ran.
   */
  static final String ITEM_CLOSED_OUTSIDE = "batch-item-closed-outside";

  private static ItemResult cancelled(int index, String name, int attempts) {
    return new ItemResult(index, name, SandboxPhase.TERMINATED.wireName(), null,
        SandboxReason.CANCELLED.wireName(), "the item's sandbox was cancelled", attempts, List.of());
  }
}
