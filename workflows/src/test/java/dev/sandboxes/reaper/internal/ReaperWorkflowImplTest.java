package dev.sandboxes.reaper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.activity.ReaperActivities;
import dev.sandboxes.client.ReaperClient;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.reaper.ReapReport;
import dev.sandboxes.reaper.ReapRequest;
import dev.sandboxes.reaper.ReapedObject;
import dev.sandboxes.workflow.internal.InMemory;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reaper workflow alone, against its activity in memory: it hands the request through, a
 * failed pass is retried (three attempts in all) and then left to the next scheduled pass. What
 * a pass removes is the activity's business, tested in the activities module
 * ({@code ReaperWorkflowTest}, {@code OrphanRuleTest}) and on the rig ({@code ReaperClusterTest}).
 */
class ReaperWorkflowImplTest {
  final FakeReaper activity = new FakeReaper();
  @RegisterExtension final InMemory temporal = new InMemory(List.of(), activity);
  ReaperClient reaper;

  /** Fails its first {@code failures} passes, then reports one removed object (none on a dry run). */
  static final class FakeReaper implements ReaperActivities {
    final List<ReapRequest> requests = new ArrayList<>();
    int failures;

    @Override
    public synchronized ReapReport reap(ReapRequest request) {
      requests.add(request);
      if (requests.size() <= failures) {
        throw ApplicationFailure.newFailure("pass " + requests.size() + " failed: API server unavailable",
            "SandboxRuntimeUnavailable");
      }
      ReapedObject orphan = new ReapedObject("local-sandbox", "orphan", "sandbox/orphan", "run-1",
          "owner is closed (terminated)");
      return new ReapReport(request.dryRun(), List.of(orphan), 2, List.of());
    }
  }

  @BeforeEach
  void clients() {
    reaper = new ReaperClient(temporal.client());
  }

  @Test
  void aPassHandsTheRequestToItsActivityAndAnswersItsReport() {
    ReapReport report = reaper.reapNow(TaskQueues.DEFAULT, true, Duration.ofMinutes(5));
    assertThat(report.dryRun()).isTrue();
    assertThat(report.removed()).extracting(ReapedObject::name).containsExactly("orphan");
    assertThat(report.kept()).isEqualTo(2);
    assertThat(activity.requests).containsExactly(new ReapRequest(true, Duration.ofMinutes(5)));
  }

  @Test
  void aFailedPassIsRetriedUpToThreeAttempts() {
    activity.failures = 2;
    assertThat(reaper.reapNow(TaskQueues.DEFAULT, false, Duration.ZERO).removed()).hasSize(1);
    assertThat(activity.requests).hasSize(3);
  }

  @Test
  void aPassThatFailsThreeTimesFailsAndIsLeftToTheNextOne() {
    activity.failures = 3;
    assertThatThrownBy(() -> reaper.reapNow(TaskQueues.DEFAULT, false, Duration.ZERO))
        .hasStackTraceContaining("pass 3 failed: API server unavailable");
    assertThat(activity.requests).hasSize(3);
  }
}
