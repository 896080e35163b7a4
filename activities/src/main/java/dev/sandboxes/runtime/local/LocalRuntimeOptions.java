package dev.sandboxes.runtime.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a {@link LocalRuntime}. Build one with {@link #newBuilder()}; every unset
 * value takes the default documented on its builder method.
 *
 * @param root directory that holds {@code sandboxes/<name>/} and {@code volumes/<name>/}
 * @param execOutputCapBytes how much of each exec stream (stdout, stderr) is kept
 * @param isolation how sandboxes are separated from the host
 * @param logCapBytes the most disk one sandbox's log may take; older lines are dropped beyond it
 * @param killGrace how long a terminated process tree gets between SIGTERM and SIGKILL
 */
public record LocalRuntimeOptions(
    Path root, int execOutputCapBytes, IsolationMode isolation, long logCapBytes, Duration killGrace) {

  public static final int DEFAULT_EXEC_OUTPUT_CAP_BYTES = 1024 * 1024;
  public static final long DEFAULT_LOG_CAP_BYTES = 16L * 1024 * 1024;
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(2);

  /**
   * Requires {@code root}, {@code isolation} and {@code killGrace} ({@link NullPointerException}
   * otherwise); throws {@link IllegalArgumentException} for an exec output cap below 1 byte, a log
   * cap below 64 KiB or a negative kill grace.
   */
  public LocalRuntimeOptions {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(isolation, "isolation");
    Objects.requireNonNull(killGrace, "killGrace");
    if (execOutputCapBytes < 1) {
      throw new IllegalArgumentException("execOutputCapBytes must be positive, got " + execOutputCapBytes);
    }
    // Two rotating halves of at least one long line each.
    if (logCapBytes < 64 * 1024) {
      throw new IllegalArgumentException("logCapBytes must be at least 65536, got " + logCapBytes);
    }
    if (killGrace.isNegative()) {
      throw new IllegalArgumentException("killGrace must not be negative, got " + killGrace);
    }
  }

  /** A builder with every value at its default. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Every value at its default: root {@code sandboxes-local} in {@code java.io.tmpdir}, 1 MiB of
   * each exec stream, isolation {@link IsolationMode#AUTO}, 16 MiB of log per sandbox and 2 seconds
   * of kill grace.
   */
  public static LocalRuntimeOptions defaults() {
    return newBuilder().build();
  }

  /** Builds {@link LocalRuntimeOptions}. */
  public static final class Builder {
    private Path root = defaultRoot();
    private int execOutputCapBytes = DEFAULT_EXEC_OUTPUT_CAP_BYTES;
    private IsolationMode isolation = IsolationMode.AUTO;
    private long logCapBytes = DEFAULT_LOG_CAP_BYTES;
    private Duration killGrace = DEFAULT_KILL_GRACE;

    private Builder() {}

    /**
     * Defaults to {@code sandboxes-local} in {@code java.io.tmpdir}; {@code null} means that
     * default, also after another root was set (an unset setting passed on as it is).
     */
    public Builder root(Path root) {
      this.root = root == null ? defaultRoot() : root;
      return this;
    }

    private static Path defaultRoot() {
      return Path.of(System.getProperty("java.io.tmpdir"), "sandboxes-local");
    }

    /** Defaults to 1 MiB per stream. */
    public Builder execOutputCapBytes(int bytes) {
      this.execOutputCapBytes = bytes;
      return this;
    }

    /** Defaults to {@link IsolationMode#AUTO}. */
    public Builder isolation(IsolationMode isolation) {
      this.isolation = isolation;
      return this;
    }

    /** Defaults to 16 MiB per sandbox. */
    public Builder logCapBytes(long bytes) {
      this.logCapBytes = bytes;
      return this;
    }

    /** Defaults to 2 seconds. */
    public Builder killGrace(Duration grace) {
      this.killGrace = grace;
      return this;
    }

    /** The options as set, checked as the record's constructor checks them. */
    public LocalRuntimeOptions build() {
      return new LocalRuntimeOptions(root, execOutputCapBytes, isolation, logCapBytes, killGrace);
    }
  }
}
