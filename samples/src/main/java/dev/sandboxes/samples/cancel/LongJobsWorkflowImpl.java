package dev.sandboxes.samples.cancel;

import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.workflow.Sandbox;
import dev.sandboxes.workflow.Sandboxes;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public class LongJobsWorkflowImpl implements LongJobsWorkflow {
  /** Tag key whose value is this workflow's ID, so its sandboxes can be listed from outside. */
  public static final String RUN_TAG = "run";

  private final List<String> running = new ArrayList<>();

  @Override
  public List<String> run(int count, int seconds) {
    String run = Workflow.getInfo().getWorkflowId();
    List<Sandbox> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(Sandboxes.start(SandboxSpec.builder("busybox:1.36")
          .command("sleep", Integer.toString(seconds))
          .tag("sample", "cancel")
          .tag(RUN_TAG, run)
          .ttl(Duration.ofSeconds(seconds).plusMinutes(5))
          .build()));
    }
    try {
      for (Sandbox job : jobs) {
        job.awaitRunning();
        running.add(job.name());
      }
      List<String> names = new ArrayList<>();
      for (Sandbox job : jobs) {
        job.awaitCompletion();
        names.add(job.name());
      }
      return names;
    } catch (CanceledFailure e) {
      // Cancelling this workflow cancelled each sandbox with it. Wait, in a scope the cancellation
      // does not reach, until every one has been terminated and cleaned up, so that "cancelled"
      // here means nothing of this workflow is still running.
      Workflow.newDetachedCancellationScope(() -> jobs.forEach(Sandbox::awaitCompletion)).run();
      throw e;
    }
  }

  @Override
  public List<String> running() {
    return List.copyOf(running);
  }
}
