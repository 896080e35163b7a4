package dev.sandboxes.activity;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.runtime.PlatformException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationErrorCategory;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * The Temporal side of every activity, done once: runtime errors become typed
 * {@link ApplicationFailure}s, retryable only where a retry can help; long waits heartbeat
 * (which is also how a cancellation reaches them).
 */
final class ActivityCalls {
  private ActivityCalls() {}

  /** A bounded wait on the runtime: returns the state after at most {@code maxWait}. */
  interface Wait<T> {
    T await(Duration maxWait) throws InterruptedException;
  }

  /**
   * Waits in steps of {@code heartbeatEvery}, heartbeating between them, until {@code changed}
   * holds or {@code slice} has passed; returns the last state.
   *
   * <p>The object being gone ({@code SandboxNotFound}) is an answer, not a failure of the wait:
   * it fails as a benign failure of that type, which the workflow reads as before, without the
   * SDK's warning and failed-activity count. That is also how a routine terminate ends the
   * watch: the workflow deletes the sandbox, and the watch, not yet told of its cancellation,
   * finds it gone.
   */
  static <T> T awaitHeartbeating(Duration slice, Duration heartbeatEvery, Wait<T> wait,
      java.util.function.Predicate<T> changed) {
    try {
      return heartbeating(slice, heartbeatEvery, wait, changed);
    } catch (ApplicationFailure f) {
      if (SandboxErrors.NOT_FOUND.equals(f.getType()) && f.getCategory() != ApplicationErrorCategory.BENIGN) {
        throw ApplicationFailure.newBuilder(f).setCategory(ApplicationErrorCategory.BENIGN).build();
      }
      throw f;
    }
  }

  private static <T> T heartbeating(Duration slice, Duration heartbeatEvery, Wait<T> wait,
      java.util.function.Predicate<T> changed) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Instant deadline = Instant.now().plus(slice);
    return call(() -> {
      while (true) {
        Duration left = Duration.between(Instant.now(), deadline);
        Duration step = left.compareTo(heartbeatEvery) < 0 ? left : heartbeatEvery;
        T state = wait.await(step.isNegative() ? Duration.ZERO : step);
        if (changed.test(state) || !Instant.now().isBefore(deadline)) {
          return state;
        }
        // Throws ActivityCompletionException once the workflow cancelled this wait.
        context.heartbeat(String.valueOf(state));
      }
    });
  }

  private static final java.util.concurrent.ScheduledExecutorService HEARTBEATS =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sandbox-activity-heartbeats");
        thread.setDaemon(true);
        return thread;
      });

  /**
   * Runs {@code action} like {@link #call} while another thread heartbeats every {@code every},
   * so that the workflow learns within its heartbeat timeout that this worker died, even though
   * {@code action} itself cannot stop to heartbeat (an exec waiting for its command).
   */
  static <T> T callHeartbeating(Duration every, Callable<T> action) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    java.util.concurrent.ScheduledFuture<?> beats = HEARTBEATS.scheduleAtFixedRate(() -> {
      try {
        context.heartbeat(null);
      } catch (RuntimeException e) {
        // Cancelled, or the server is unreachable: the action's own outcome still decides.
      }
    }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      return call(action);
    } finally {
      beats.cancel(false);
    }
  }

  static <T> T call(Callable<T> action) {
    try {
      return action.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    } catch (InvalidSpecException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.type(),
          e.violations().stream().map(Object::toString).toList());
    } catch (PlatformException e) {
      throw e.retryable()
          ? ApplicationFailure.newFailureWithCause(e.getMessage(), e.type(), e.getCause())
          : ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), e.type(), e.getCause());
    } catch (SandboxException e) {
      // Not found, not running, in use: the state of the world, which a retry will not change.
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.type());
    } catch (io.temporal.client.ActivityNotExistsException e) {
      throw routineEnd(e);
    } catch (RuntimeException e) {
      if (e instanceof io.temporal.client.ActivityCompletionException || e instanceof ApplicationFailure) {
        throw e;
      }
      throw ApplicationFailure.newFailureWithCause(
          String.valueOf(e.getMessage()), SandboxErrors.RUNTIME_UNAVAILABLE, e);
    } catch (Exception e) {
      throw Activity.wrap(e);
    }
  }

  /**
   * A heartbeat found that nobody waits for this activity any more: its workflow closed (a
   * sandbox terminated while its watch waited) or the attempt was replaced. That is the routine
   * end of a watch, not a failure: a benign failure is neither logged as a warning nor counted in
   * the SDK's failed-activity metric (a cancellation that arrives in time is reported as
   * cancelled, which is not counted as failed either).
   */
  static ApplicationFailure routineEnd(io.temporal.client.ActivityNotExistsException e) {
    return ApplicationFailure.newBuilder()
        .setMessage("nothing waits for this activity any more: " + e.getMessage())
        .setType(WAIT_ENDED)
        .setNonRetryable(true)
        .setCategory(ApplicationErrorCategory.BENIGN)
        .build();
  }

  /** The type of {@link #routineEnd}'s failure. */
  static final String WAIT_ENDED = "SandboxWaitEnded";

  static void run(ThrowingRunnable action) {
    call(() -> {
      action.run();
      return null;
    });
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
