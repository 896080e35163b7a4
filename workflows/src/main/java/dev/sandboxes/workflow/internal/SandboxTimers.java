package dev.sandboxes.workflow.internal;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.SandboxLimits;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * A sandbox's durable timers: its TTL, and the timeout of the bounded phase it is in (queued:
 * the schedule timeout, creating: the startup timeout). Phase timers start once the first
 * create answered, so a sandbox that runs at once costs none; each bounded phase is timed once,
 * from when the sandbox enters it. The checks have no side effects (they serve as await
 * conditions).
 */
final class SandboxTimers {
  private final SandboxLimits limits;
  private SandboxSpec spec;
  private boolean phaseTimeouts;
  private boolean armed;
  private Promise<Void> ttl;
  private SandboxPhase timedPhase;
  private Duration timedFor;
  private Promise<Void> phaseTimer;

  SandboxTimers(SandboxLimits limits) {
    this.limits = limits;
  }

  /**
   * Starts the TTL's timer, counted from {@code createdAt}; {@code phaseTimeouts} is false for
   * a history recorded before the phase timers existed.
   */
  void begin(SandboxSpec spec, boolean phaseTimeouts, Instant createdAt, Instant now) {
    this.spec = spec;
    this.phaseTimeouts = phaseTimeouts;
    if (spec.ttl() != null) {
      Duration left = Duration.between(now, createdAt.plus(spec.ttl()));
      ttl = Workflow.newTimer(left.isNegative() ? Duration.ZERO : left);
    }
  }

  /** The first create answered, leaving the sandbox in {@code phase}: phases are timed from now. */
  void createAnswered(SandboxPhase phase) {
    if (!armed) {
      armed = true;
      entered(phase);
    }
  }

  /** The sandbox entered {@code next}: a bounded phase's timer starts. */
  void entered(SandboxPhase next) {
    if (!phaseTimeouts || !armed || next == timedPhase
        || (next != SandboxPhase.QUEUED && next != SandboxPhase.CREATING)) {
      return;
    }
    timedPhase = next;
    timedFor = next == SandboxPhase.QUEUED ? limits.scheduleTimeoutOf(spec) : limits.startupTimeoutOf(spec);
    phaseTimer = Workflow.newTimer(timedFor);
  }

  boolean ttlExpired() {
    return ttl != null && ttl.isCompleted();
  }

  /** Whether the sandbox, now in {@code current}, has been in its timed phase too long. */
  boolean phaseTimedOut(SandboxPhase current) {
    return phaseTimer != null && phaseTimer.isCompleted() && current == timedPhase;
  }

  /** The phase last timed. */
  SandboxPhase timedPhase() {
    return timedPhase;
  }

  /** How long the phase last timed may last. */
  Duration timedFor() {
    return timedFor;
  }
}
