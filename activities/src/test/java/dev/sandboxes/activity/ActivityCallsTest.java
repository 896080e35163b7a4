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
}
