package dev.sandboxes.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A line on stderr kept up to date while a command waits ({@code batch run --wait}, {@code volume
 * read}): every {@code every} it renders the progress, given the time since it started. On a
 * terminal it rewrites one line and clears it when closed; elsewhere ({@code --progress} into a
 * log) it prints a line each time. A rendering that fails is skipped; the next one comes.
 */
final class ProgressLine implements AutoCloseable {
  private final PrintWriter err;
  private final boolean terminal;
  private final ScheduledExecutorService ticker;
  private final long startedNanos = System.nanoTime();
  private final Function<Duration, String> render;
  private int width;
  private String last;

  private ProgressLine(PrintWriter err, boolean terminal, Duration every, Function<Duration, String> render) {
    this.err = err;
    this.terminal = terminal;
    this.render = render;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "progress-line");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(this::tick, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts showing what {@code render} returns (given the time elapsed), every {@code every}. */
  static ProgressLine start(PrintWriter err, boolean terminal, Duration every, Function<Duration, String> render) {
    return new ProgressLine(err, terminal, every, render);
  }

  /** Whether a line is wanted: as asked ({@code --progress} / {@code --no-progress}), else on a terminal. */
  static boolean wanted(Boolean asked, boolean terminal) {
    return asked != null ? asked : terminal;
  }

  private void tick() {
    try {
      show(render.apply(Duration.ofNanos(System.nanoTime() - startedNanos)));
    } catch (RuntimeException e) {
      // a missed reading: the next one comes in `every`
    }
  }

  private synchronized void show(String line) {
    if (line == null) {
      return;
    }
    last = line;
    if (terminal) {
      err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** A duration as {@code 45s}, {@code 2m05s} or {@code 1h02m}. */
  static String compact(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  /**
   * Stops the updates; on a terminal, clears the line; elsewhere prints the final reading when
   * it differs from the last one printed (a short copy may end before its first reading).
   */
  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (terminal) {
        if (width > 0) {
          err.print("\r" + " ".repeat(width) + "\r");
          err.flush();
        }
        return;
      }
    }
    String fin;
    try {
      fin = render.apply(Duration.ofNanos(System.nanoTime() - startedNanos));
    } catch (RuntimeException e) {
      return;
    }
    synchronized (this) {
      if (fin != null && !fin.equals(last)) {
        show(fin);
      }
    }
  }
}
