package dev.sandboxes.batch;

import java.time.Instant;

/**
 * Where a batch stands: counts of items by outcome. {@code state} is {@code running} until every
 * item has an outcome, then {@code succeeded} (all succeeded), {@code failed} (some did not), or
 * {@code cancelled}.
 *
 * @param running sandboxes running now (including items waiting for a retry)
 * @param skipped items never started because the batch stopped (fail-fast or cancel)
 * @param retries sandboxes started again after a failed attempt
 * @param chunks chunk workflows ({@code batch/<name>/<k>}) started so far; they hold the item results
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record BatchProgress(String name, String state, int total, int running, int succeeded,
    int failed, int terminated, int skipped, int retries, int chunks, Instant startedAt, Instant finishedAt) {
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  /** Items with an outcome (skipped included). */
  public int done() {
    return succeeded + failed + terminated + skipped;
  }

  /** Items not started yet: neither running nor with an outcome. */
  public int pending() {
    return total - done() - running;
  }

  /** These counts plus another part's (state, times and totals of this one). */
  public BatchProgress plus(BatchProgress part) {
    return new BatchProgress(name, state, total, running + part.running, succeeded + part.succeeded,
        failed + part.failed, terminated + part.terminated, skipped + part.skipped, retries + part.retries,
        chunks, startedAt, finishedAt);
  }
}
