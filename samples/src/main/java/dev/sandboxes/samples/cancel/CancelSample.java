package dev.sandboxes.samples.cancel;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.client.SandboxSummary;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import io.temporal.worker.Worker;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cancel guarantees cleanup: a workflow runs several {@code sleep 600} sandboxes, the sample
 * cancels it, and shows that every sandbox ended terminated (reason {@code Cancelled}), that none
 * is listed as still going, and that no sandbox process is left on this machine.
 */
public final class CancelSample {
  public static final int SANDBOXES = 4;
  public static final int SECONDS = 600;

  private CancelSample() {}

  public static void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(LongJobsWorkflowImpl.class);
  }

  /** What the sample saw after the cancel. */
  public record Outcome(List<SandboxStatus> sandboxes, List<SandboxSummary> stillGoing, long processesLeft) {}

  /**
   * @param workflowId also the value of the {@code run} tag on its sandboxes
   * @param localWorker the worker (and so the local runtime's processes) runs in this JVM, so
   *     leftover processes can be counted among its descendants
   */
  public static Outcome run(WorkflowClient client, String workflowId, boolean localWorker, PrintStream out)
      throws InterruptedException {
    SandboxClient sandboxes = new SandboxClient(client);
    LongJobsWorkflow workflow = client.newWorkflowStub(LongJobsWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(TaskQueues.DEFAULT)
        // a sample that stalls (a workflow task failing over and over) should fail, not hang
        .setWorkflowExecutionTimeout(Duration.ofMinutes(15))
        .build());
    WorkflowClient.start(workflow::run, SANDBOXES, SECONDS);
    out.printf("workflow %s: starting %d sandboxes that run sleep %d...%n", workflowId, SANDBOXES, SECONDS);

    List<String> names = awaitRunning(workflow, SANDBOXES, Duration.ofMinutes(2));
    out.printf("running: %s%n", String.join(", ", names));
    if (localWorker) {
      out.printf("sandbox processes under this JVM: %d%n", descendants());
    }

    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    long began = System.nanoTime();
    stub.cancel();
    try {
      stub.getResult(List.class);
      throw new IllegalStateException("workflow " + workflowId + " completed instead of being cancelled");
    } catch (WorkflowFailedException e) {
      if (!(e.getCause() instanceof CanceledFailure)) {
        throw e;
      }
    }
    out.printf("cancelled workflow %s; it closed %d ms later%n", workflowId, (System.nanoTime() - began) / 1_000_000);

    List<SandboxStatus> statuses = new ArrayList<>();
    out.printf("%-18s %-11s %-10s %s%n", "SANDBOX", "PHASE", "REASON", "RAN");
    for (String name : names) {
      SandboxStatus status = sandboxes.describe(name);
      statuses.add(status);
      out.printf("%-18s %-11s %-10s %s%n", name, status.phase().wireName(), status.reason(),
          status.startedAt() == null || status.finishedAt() == null ? "-"
              : Duration.between(status.startedAt(), status.finishedAt()).toMillis() + " ms");
    }
    List<SandboxSummary> stillGoing = sandboxes.list(
        SandboxFilter.unfinished().withTags(Map.of(LongJobsWorkflowImpl.RUN_TAG, workflowId)));
    out.printf("sandboxes of %s still queued, creating or running: %d%n", workflowId, stillGoing.size());
    long left = localWorker ? descendants() : 0;
    if (localWorker) {
      out.printf("sandbox processes under this JVM: %d%n", left);
    }
    boolean clean = statuses.stream().allMatch(s -> s.phase() == SandboxPhase.TERMINATED
        && SandboxReason.CANCELLED.is(s.reason())) && stillGoing.isEmpty() && left == 0;
    out.println(clean ? "every sandbox was terminated and nothing is left running" : "NOT CLEAN");
    if (!clean) {
      throw new IllegalStateException("after the cancel: " + statuses + ", still going " + stillGoing
          + ", processes left " + left);
    }
    return new Outcome(statuses, stillGoing, left);
  }

  private static List<String> awaitRunning(LongJobsWorkflow workflow, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> running = workflow.running();
      if (running.size() == count) {
        return running;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + running.size() + " of " + count + " sandboxes running after "
            + timeout);
      }
      Thread.sleep(200);
    }
  }

  /** The local runtime's processes are children of the JVM that runs it (and of nothing else here). */
  static long descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
  }
}
