package dev.sandboxes.workflow;

import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A worker's bounds on every sandbox it runs: the defaults of the per-sandbox phase timeouts and
 * the longest a sandbox may live. They hold without any worker too: the schedule and startup
 * timeouts are durable timers of the sandbox's workflow, and the Kubernetes runtime turns the
 * lifetime into the pod's {@code activeDeadlineSeconds}, so the kubelet ends a pod whose
 * workflow was hard-terminated.
 *
 * @param maxLifetime the longest a sandbox may live; a sandbox without a TTL is ended by the
 *     platform after this long, and a TTL above it is refused as invalid
 * @param scheduleTimeout how long a sandbox may stay {@code queued} unless its spec says otherwise
 * @param startupTimeout how long a sandbox may stay {@code creating} unless its spec says otherwise
 */
public record SandboxLimits(Duration maxLifetime, Duration scheduleTimeout, Duration startupTimeout) {
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
  public static final Duration DEFAULT_SCHEDULE_TIMEOUT = Duration.ofMinutes(15);
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(10);
  /** The ceiling of {@link #maxLifetime}: the longest TTL any spec may ask for, a year. */
  public static final Duration MAX_LIFETIME_CEILING = SandboxSpec.MAX_TTL;

  /**
   * Requires each duration to be positive, {@code maxLifetime} at most
   * {@link #MAX_LIFETIME_CEILING} and the timeouts at most {@link SandboxSpec#MAX_PHASE_TIMEOUT}:
   * {@link NullPointerException} for a missing one, {@link IllegalArgumentException} for one out of
   * range.
   */
  public SandboxLimits {
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    Objects.requireNonNull(scheduleTimeout, "scheduleTimeout");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    positiveAtMost("maxLifetime", maxLifetime, MAX_LIFETIME_CEILING);
    positiveAtMost("scheduleTimeout", scheduleTimeout, SandboxSpec.MAX_PHASE_TIMEOUT);
    positiveAtMost("startupTimeout", startupTimeout, SandboxSpec.MAX_PHASE_TIMEOUT);
  }

  /**
   * A lifetime of {@link #DEFAULT_MAX_LIFETIME} (24 hours), a schedule timeout of
   * {@link #DEFAULT_SCHEDULE_TIMEOUT} (15 minutes) and a startup timeout of
   * {@link #DEFAULT_STARTUP_TIMEOUT} (10 minutes).
   */
  public static SandboxLimits defaults() {
    return new SandboxLimits(DEFAULT_MAX_LIFETIME, DEFAULT_SCHEDULE_TIMEOUT, DEFAULT_STARTUP_TIMEOUT);
  }

  /** A copy with {@code maxLifetime} {@code value}, checked as the constructor checks it. */
  public SandboxLimits withMaxLifetime(Duration value) {
    return new SandboxLimits(value, scheduleTimeout, startupTimeout);
  }

  /** A copy with {@code scheduleTimeout} {@code value}, checked as the constructor checks it. */
  public SandboxLimits withScheduleTimeout(Duration value) {
    return new SandboxLimits(maxLifetime, value, startupTimeout);
  }

  /** A copy with {@code startupTimeout} {@code value}, checked as the constructor checks it. */
  public SandboxLimits withStartupTimeout(Duration value) {
    return new SandboxLimits(maxLifetime, scheduleTimeout, value);
  }

  /** The schedule timeout of {@code spec}: its own, else this worker's. */
  public Duration scheduleTimeoutOf(SandboxSpec spec) {
    return spec.scheduleTimeout() != null ? spec.scheduleTimeout() : scheduleTimeout;
  }

  /** The startup timeout of {@code spec}: its own, else this worker's. */
  public Duration startupTimeoutOf(SandboxSpec spec) {
    return spec.startupTimeout() != null ? spec.startupTimeout() : startupTimeout;
  }

  /** The rules of these limits that {@code spec} breaks (its own rules aside). */
  public List<Violation> violations(SandboxSpec spec) {
    if (spec.ttl() != null && spec.ttl().compareTo(maxLifetime) > 0) {
      return List.of(new Violation("ttl", "must be at most the worker's maximum sandbox lifetime of "
          + maxLifetime + ", got " + spec.ttl()));
    }
    return List.of();
  }

  private static void positiveAtMost(String field, Duration value, Duration ceiling) {
    if (value.isNegative() || value.isZero() || value.compareTo(ceiling) > 0) {
      throw new IllegalArgumentException(field + " must be positive and at most " + ceiling
          + ", got " + value);
    }
  }
}
