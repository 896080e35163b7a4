package dev.sandboxes.activity;

import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.runtime.SandboxRuntime;
import java.time.Duration;

/** {@link PoolActivities} over any {@link SandboxRuntime} (only Kubernetes keeps pools). */
public class PoolActivitiesImpl implements PoolActivities {
  /** How long one wait for a claim lasts before it returns the counts unchanged. */
  static final Duration AWAIT_SLICE = Duration.ofMinutes(10);
  /** How often a wait heartbeats (its timeout is 30 s). */
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(10);

  private final SandboxRuntime runtime;

  public PoolActivitiesImpl(SandboxRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public PoolStatus fill(String pool, SandboxOwner owner) {
    return ActivityCalls.call(() -> runtime.fillPool(pool, owner));
  }

  @Override
  public PoolStatus awaitChange(String pool) {
    // the counts now: a pool with pods starting is answered once none is (so its keeper's
    // counts are true again), one without once it needs pods
    PoolStatus initial = ActivityCalls.call(() -> runtime.awaitPoolChange(pool, Duration.ZERO));
    boolean starting = initial.starting() > 0;
    return ActivityCalls.awaitHeartbeating(AWAIT_SLICE, HEARTBEAT_EVERY, wait -> runtime.awaitPoolChange(pool, wait),
        now -> now.ready() + now.starting() < now.size() || starting && now.starting() == 0);
  }

  @Override
  public int drain(String pool) {
    return ActivityCalls.call(() -> runtime.drainPool(pool));
  }
}
