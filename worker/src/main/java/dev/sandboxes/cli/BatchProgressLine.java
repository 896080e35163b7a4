package dev.sandboxes.cli;

import dev.sandboxes.batch.BatchProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The line {@code batch run --wait} keeps up to date on stderr while it waits ({@link ProgressLine}):
 * done of total, the outcomes so far, the rate since the wait began and the time left at that
 * rate.
 */
final class BatchProgressLine {
  /** How often the batch's progress is read (one query to its workflow). */
  static final Duration EVERY = Duration.ofSeconds(2);

  private BatchProgressLine() {}

  /** Starts showing the progress that {@code read} returns, every {@link #EVERY}. */
  static ProgressLine start(PrintWriter err, boolean terminal, Supplier<BatchProgress> read) {
    Integer[] doneAtStart = new Integer[1];
    return ProgressLine.start(err, terminal, EVERY, elapsed -> {
      BatchProgress progress = read.get();
      if (doneAtStart[0] == null) {
        doneAtStart[0] = progress.done();
      }
      return render(progress, progress.done() - doneAtStart[0], elapsed);
    });
  }

  /**
   * One progress line: {@code NAME: D / T done (S succeeded, F failed), R running, X items/s, ETA
   * 1m05s}; the rate counts the items done since the wait began ({@code doneSince} in {@code
   * elapsed}), and the ETA is left out until there is a rate.
   */
  static String render(BatchProgress progress, int doneSince, Duration elapsed) {
    StringBuilder line = new StringBuilder(progress.name()).append(": ").append(progress.done()).append(" / ")
        .append(progress.total()).append(" done (").append(progress.succeeded()).append(" succeeded, ")
        .append(progress.failed() + progress.terminated()).append(" failed), ").append(progress.running())
        .append(" running");
    double seconds = elapsed.toMillis() / 1000.0;
    if (doneSince > 0 && seconds > 0) {
      double rate = doneSince / seconds;
      line.append(String.format(", %.1f items/s", rate));
      int left = progress.total() - progress.done();
      if (left > 0) {
        line.append(", ETA ").append(ProgressLine.compact(Duration.ofSeconds((long) Math.ceil(left / rate))));
      }
    }
    return line.toString();
  }
}
