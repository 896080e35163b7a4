package dev.sandboxes.cli;

import dev.sandboxes.batch.BatchProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The line {@code batch run --wait} keeps up to date on stderr while it waits: done of total, the
 * outcomes so far, the rate since the wait began and the time left at that rate. On a terminal
 * it rewrites one line; elsewhere ({@code --progress} into a log) it prints a line each time.
 */
final class BatchProgressLine implements AutoCloseable {
  /** How often the batch's progress is read (one query to its workflow). */
  static final Duration EVERY = Duration.ofSeconds(2);

  private final PrintWriter err;
  private final boolean terminal;
  private final ScheduledExecutorService ticker;
  private final long startedNanos = System.nanoTime();
  private Integer doneAtStart;
  private int width;

  private BatchProgressLine(PrintWriter err, boolean terminal, Supplier<BatchProgress> read) {
    this.err = err;
    this.terminal = terminal;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "batch-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(() -> {
      try {
        show(read.get());
      } catch (RuntimeException e) {
        // a missed reading: the next one comes in EVERY
      }
    }, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts showing the progress that {@code read} returns, every {@link #EVERY}. */
  static BatchProgressLine start(PrintWriter err, boolean terminal, Supplier<BatchProgress> read) {
    return new BatchProgressLine(err, terminal, read);
  }

  private synchronized void show(BatchProgress progress) {
    if (doneAtStart == null) {
      doneAtStart = progress.done();
    }
    String line = render(progress, progress.done() - doneAtStart, Duration.ofNanos(System.nanoTime() - startedNanos));
    if (terminal) {
      err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
    } else {
      err.println(line);
    }
    err.flush();
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
        line.append(", ETA ").append(compact(Duration.ofSeconds((long) Math.ceil(left / rate))));
      }
    }
    return line.toString();
  }

  private static String compact(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  /** Stops the updates; on a terminal, clears the line. */
  @Override
  public synchronized void close() {
    ticker.shutdownNow();
    if (terminal && width > 0) {
      err.print("\r" + " ".repeat(width) + "\r");
      err.flush();
    }
  }
}
