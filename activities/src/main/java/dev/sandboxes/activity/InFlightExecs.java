package dev.sandboxes.activity;

import dev.sandboxes.model.ExecResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The exec attempts this worker runs or ran lately, by activity, so that a retry of an attempt
 * the server gave up on while this worker still ran it (its heartbeats came late, or its
 * start-to-close passed) joins that attempt instead of running the command a second time or
 * calling its outcome unknown. Where the sandbox keeps its execs (the in-sandbox agent) a retry
 * could re-attach anyway; where it cannot (the kubelet's exec), this is what saves the result
 * when the retry lands on the worker that holds it.
 *
 * <p>An attempt is kept while it runs. Once it ends, it is kept for {@link #KEEP_FINISHED} only
 * if it ran long enough to have been timed out ({@code atRisk}): a shorter attempt's own
 * completion reached the server, so no retry can follow it, and results of up to 2 MiB are not
 * held without cause.
 */
final class InFlightExecs {
  /** How long a finished attempt waits for a retry: past the exec's longest retry interval and a dispatch. */
  static final Duration KEEP_FINISHED = Duration.ofMinutes(2);

  private record Attempt(CompletableFuture<ExecResult> outcome, long finishedAt) {}

  private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  InFlightExecs() {
    this(System::nanoTime);
  }

  InFlightExecs(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** The outcome of the attempt running or lately finished under {@code key}, or null. */
  CompletableFuture<ExecResult> earlier(String key) {
    forgetExpired();
    Attempt attempt = attempts.get(key);
    return attempt == null ? null : attempt.outcome();
  }

  /** Registers a new attempt under {@code key}; its outcome is set with {@link #finish}. */
  CompletableFuture<ExecResult> start(String key) {
    forgetExpired();
    CompletableFuture<ExecResult> outcome = new CompletableFuture<>();
    attempts.put(key, new Attempt(outcome, Long.MAX_VALUE));
    return outcome;
  }

  /**
   * Ends the attempt under {@code key} with {@code result} or {@code failure} (one is null). An
   * attempt not {@code atRisk} of having been timed out is forgotten at once.
   */
  void finish(String key, CompletableFuture<ExecResult> outcome, ExecResult result, RuntimeException failure,
      boolean atRisk) {
    if (failure != null) {
      outcome.completeExceptionally(failure);
    } else {
      outcome.complete(result);
    }
    if (atRisk) {
      attempts.replace(key, new Attempt(outcome, Long.MAX_VALUE), new Attempt(outcome, nanoTime.getAsLong()));
    } else {
      attempts.remove(key, new Attempt(outcome, Long.MAX_VALUE));
    }
  }

  int size() {
    return attempts.size();
  }

  private void forgetExpired() {
    long now = nanoTime.getAsLong();
    attempts.values().removeIf(a -> a.finishedAt() != Long.MAX_VALUE && now - a.finishedAt() > KEEP_FINISHED.toNanos());
  }
}
