package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.batch.BatchProgress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the progress line of {@code batch run --wait} says. */
class BatchProgressLineTest {
  static BatchProgress progress(int total, int running, int succeeded, int failed) {
    return new BatchProgress("nightly", BatchProgress.RUNNING, total, running, succeeded, failed, 0, 0, 0, 1,
        Instant.EPOCH, null);
  }

  @Test
  void doneOfTotalWithTheRateSinceTheWaitBeganAndTheTimeLeft() {
    assertThat(BatchProgressLine.render(progress(1000, 50, 380, 20), 200, Duration.ofSeconds(40)))
        .isEqualTo("nightly: 400 / 1000 done (380 succeeded, 20 failed), 50 running, 5.0 items/s, ETA 2m00s");
    assertThat(BatchProgressLine.render(progress(100000, 50, 10, 0), 10, Duration.ofSeconds(10)))
        .endsWith("1.0 items/s, ETA 27h46m");
  }

  @Test
  void noRateBeforeAnItemIsDoneAndNoEtaWhenAllAre() {
    assertThat(BatchProgressLine.render(progress(10, 2, 0, 0), 0, Duration.ofSeconds(3)))
        .isEqualTo("nightly: 0 / 10 done (0 succeeded, 0 failed), 2 running");
    assertThat(BatchProgressLine.render(progress(10, 0, 10, 0), 10, Duration.ofSeconds(5)))
        .isEqualTo("nightly: 10 / 10 done (10 succeeded, 0 failed), 0 running, 2.0 items/s");
  }
}
