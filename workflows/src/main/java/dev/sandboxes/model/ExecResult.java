package dev.sandboxes.model;

import java.time.Duration;

/**
 * What a command run by exec produced. Output beyond the runtime's cap (1 MiB per stream by
 * default) is dropped and flagged; both streams are always drained to the end.
 *
 * @param exitCode the command's exit code; {@link #TIMED_OUT_EXIT_CODE} when it timed out
 * @param timedOut the command did not finish within its timeout and was abandoned
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ExecResult(
    int exitCode,
    String stdout,
    String stderr,
    boolean stdoutTruncated,
    boolean stderrTruncated,
    boolean timedOut,
    Duration duration) {

  /** The exit code reported for a timed-out command, as GNU {@code timeout} does. */
  public static final int TIMED_OUT_EXIT_CODE = 124;

  /** A {@code null} stdout or stderr becomes empty, a {@code null} duration zero. */
  public ExecResult {
    stdout = stdout == null ? "" : stdout;
    stderr = stderr == null ? "" : stderr;
    duration = duration == null ? Duration.ZERO : duration;
  }

  /** True when the command exited with code 0 and did not time out. */
  public boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }
}
