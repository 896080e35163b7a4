package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.workflow.internal.SandboxWorkflowImpl;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.worker.Worker;
import io.temporal.api.enums.v1.EventType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the corpus is for: the cleanup change (logs and delete in one activity) shipped without
 * its {@code Workflow.getVersion} guard is caught by the build, naming every recorded path it
 * would break, before any open workflow meets it.
 */
class UnguardedChangeTest {
  /** The same change as {@link SandboxWorkflowImpl}'s, with the version guard left out. */
  static class UnguardedSandboxWorkflow extends SandboxWorkflowImpl {
    UnguardedSandboxWorkflow() {
      super(SandboxLimits.defaults());
    }

    @Override
    protected int cleanupVersion() {
      return 1;
    }
  }

  @Test
  void theCleanupChangeWithoutItsVersionGuardFailsTheReplayOfEveryOlderSandboxThatCleanedUp() {
    Map<String, Throwable> broken = new TreeMap<>();
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("unguarded-change");
      worker.registerWorkflowImplementationFactory(SandboxWorkflow.class, UnguardedSandboxWorkflow::new);
      for (Path history : HistoryCorpusTest.corpus()) {
        String release = history.getName(0).toString();
        var events = HistoryCorpusTest.load(history);
        String type = events.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName();
        if (!type.equals("Sandbox") || !(release.equals("0.0-initial") || release.equals("0.1.0"))) {
          continue;
        }
        try {
          WorkflowReplayer.replayWorkflowExecution(events, worker);
        } catch (Exception e) {
          broken.put(history.toString().replace('\\', '/'), e);
        }
      }
    }
    assertThat(broken.keySet()).as("histories the unguarded change breaks").hasSize(14)
        .contains("0.0-initial/sandbox-exec-terminate.json",
            "0.1.0/sandbox-idle-exec-logs-terminate.json",
            "0.1.0/sandbox-command-succeeded.json",
            "0.1.0/sandbox-command-failed.json",
            "0.1.0/sandbox-ttl.json",
            "0.1.0/sandbox-cancel.json",
            "0.1.0/sandbox-quota-wait.json",
            "0.1.0/sandbox-volume-pending.json")
        // paths that never clean up (nothing was created, or the name is another owner's)
        .doesNotContain("0.1.0/sandbox-schedule-timeout.json", "0.1.0/sandbox-name-conflict.json");
    // the replayer reports the SDK's non-determinism error (TMPRL1100) with the commands that differ
    assertThat(broken.values()).allSatisfy(e -> assertThat(e).hasMessageContaining(
        NonDeterministicException.class.getName()).hasMessageContaining("TMPRL1100"));
    assertThat(broken.get("0.1.0/sandbox-ttl.json")).hasMessageContaining("SandboxLogs")
        .hasMessageContaining("SandboxCaptureAndDelete");
  }

  @Test
  void sandboxesRecordedSinceTheChangeCleanUpInOneActivityAndOlderOnesInTwo() {
    Map<String, String> cleanups = new TreeMap<>();
    for (Path history : HistoryCorpusTest.corpus()) {
      var events = HistoryCorpusTest.load(history).getEvents();
      if (!events.get(0).getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName().equals("Sandbox")) {
        continue;
      }
      List<String> activities = events.stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
          .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
          .filter(a -> a.equals("SandboxLogs") || a.equals("SandboxDelete") || a.equals("SandboxCaptureAndDelete"))
          .toList();
      cleanups.put(history.toString().replace('\\', '/'), String.join("+", activities));
    }
    assertThat(cleanups).containsEntry("0.1.0/sandbox-ttl.json", "SandboxLogs+SandboxDelete")
        .containsEntry("0.2.0/sandbox-ttl.json", "SandboxCaptureAndDelete")
        .containsEntry("0.2.0/sandbox-idle-exec-logs-terminate.json", "SandboxLogs+SandboxCaptureAndDelete")
        .containsEntry("0.2.0/sandbox-name-conflict.json", "");
  }
}
