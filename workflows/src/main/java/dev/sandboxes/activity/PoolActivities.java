package dev.sandboxes.activity;

import dev.sandboxes.model.PoolStatus;
import dev.sandboxes.model.SandboxOwner;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** What a warm pool's keeper asks of the runtime. Every call is idempotent. */
@ActivityInterface(namePrefix = "Pool")
public interface PoolActivities {
  /**
   * Makes the pool's idle pods number its size again, creating at most its refill rate of pods
   * (owned by {@code owner}, the keeper), and returns its counts. A pool the worker's
   * configuration no longer has fails as {@code SandboxNotFound}.
   */
  @ActivityMethod
  PoolStatus fill(String pool, SandboxOwner owner);

  /**
   * Waits, heartbeating, until the pool needs pods again (a sandbox claimed one, or one ended)
   * or its starting pods are all ready, and returns its counts; returns them unchanged after a
   * while otherwise.
   */
  @ActivityMethod
  PoolStatus awaitChange(String pool);

  /** Removes the pool's idle pods and its policy (the pool left the configuration); claimed pods stay their sandboxes'. */
  @ActivityMethod
  int drain(String pool);
}
