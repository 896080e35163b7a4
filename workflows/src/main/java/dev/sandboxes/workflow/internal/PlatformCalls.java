package dev.sandboxes.workflow.internal;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * How the workflows call the platform through their activities: the retry policy and the
 * timeouts of each kind of call. One place, so the sandbox and volume workflows agree.
 */
final class PlatformCalls {
  private PlatformCalls() {}

  /** Platform calls: retried with backoff from 1 s to 30 s until the platform answers. */
  static final RetryOptions RETRY = RetryOptions.newBuilder()
      .setInitialInterval(Duration.ofSeconds(1))
      .setBackoffCoefficient(2)
      .setMaximumInterval(Duration.ofSeconds(30))
      .build();

  /** Never retried: running a command twice, or moving a file twice, is not harmless. */
  static final RetryOptions ONCE = RetryOptions.newBuilder().setMaximumAttempts(1).build();

  /** How soon a dead worker is noticed while a long call runs (the activity heartbeats). */
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

  /** Short calls (create, delete, log capture) retried until the platform answers. */
  static ActivityOptions control(Duration startToClose) {
    return ActivityOptions.newBuilder().setStartToCloseTimeout(startToClose).setRetryOptions(RETRY).build();
  }

  /**
   * A create that a cancellation must wait for: a create abandoned in flight still makes its
   * object, after the workflow has given up the name it would delete it by.
   */
  static ActivityOptions settled(Duration startToClose) {
    return control(startToClose).toBuilder()
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED).build();
  }

  /** Reads on behalf of a caller who is waiting: three attempts, then the caller hears why. */
  static ActivityOptions reads(Duration startToClose) {
    return ActivityOptions.newBuilder().setStartToCloseTimeout(startToClose)
        .setRetryOptions(RETRY.toBuilder().setMaximumAttempts(3).build()).build();
  }

  /** Long waits for the next change, heartbeating; retried sooner (at most 10 s apart). */
  static ActivityOptions watch(String summary) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(15))
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(RETRY.toBuilder().setMaximumInterval(Duration.ofSeconds(10)).build())
        .setSummary(summary)
        .build();
  }

  /** A call made once, e.g. a file move. */
  static ActivityOptions once(Duration startToClose) {
    return ActivityOptions.newBuilder().setStartToCloseTimeout(startToClose).setRetryOptions(ONCE).build();
  }
}
