package dev.sandboxes.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxNotFoundException;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityNotExistsException;
import io.temporal.failure.ApplicationErrorCategory;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

/** How an activity's outcome is reported: typed failures, and a watch's routine end as benign. */
class ActivityCallsTest {
  @Test
  void aHeartbeatThatFindsItsWorkflowGoneEndsAsABenignFailureNotAWarningOrAFailedCount() {
    Throwable thrown = catchThrowable(() -> ActivityCalls.call(() -> {
      throw new ActivityNotExistsException(new RuntimeException("workflow execution already completed"));
    }));
    assertThat(thrown).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.getCategory()).isEqualTo(ApplicationErrorCategory.BENIGN);
      assertThat(f.getType()).isEqualTo(ActivityCalls.WAIT_ENDED);
      assertThat(f.isNonRetryable()).isTrue();
    });
  }

  @Test
  void aCancellationStaysACancellationAndModelErrorsKeepTheirTypes() {
    ActivityCanceledException cancelled = new ActivityCanceledException();
    assertThat(catchThrowable(() -> ActivityCalls.call(() -> {
      throw cancelled;
    }))).isSameAs(cancelled);
    assertThat(catchThrowable(() -> ActivityCalls.call(() -> {
      throw new SandboxNotFoundException("gone");
    }))).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.getType()).isEqualTo(SandboxErrors.NOT_FOUND);
      assertThat(f.getCategory()).isNotEqualTo(ApplicationErrorCategory.BENIGN);
    });
  }

  @Test
  void aWatchThatFindsItsObjectGoneFailsBenignKeepingItsType() {
    io.temporal.testing.TestActivityEnvironment env = io.temporal.testing.TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(new Watch());
      Throwable thrown = catchThrowable(() -> env.newActivityStub(WatchActivity.class,
          io.temporal.activity.ActivityOptions.newBuilder().setStartToCloseTimeout(java.time.Duration.ofSeconds(10))
              .setRetryOptions(io.temporal.common.RetryOptions.newBuilder().setMaximumAttempts(1).build()).build()).await());
      ApplicationFailure cause = null;
      for (Throwable t = thrown; t != null && cause == null; t = t.getCause()) {
        cause = t instanceof ApplicationFailure app ? app : null;
      }
      assertThat(cause).as("the watch's failure (%s)", thrown).isNotNull();
      assertThat(cause.getType()).isEqualTo(SandboxErrors.NOT_FOUND);
      assertThat(cause.getCategory()).isEqualTo(ApplicationErrorCategory.BENIGN);
    } finally {
      env.close();
    }
  }

  /** A watch over an object that is gone. */
  @io.temporal.activity.ActivityInterface
  public interface WatchActivity {
    String await();
  }

  static final class Watch implements WatchActivity {
    @Override
    public String await() {
      return ActivityCalls.awaitHeartbeating(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(1), wait -> {
        throw new SandboxNotFoundException("sandbox \"s\" is gone");
      }, state -> true);
    }
  }
}
