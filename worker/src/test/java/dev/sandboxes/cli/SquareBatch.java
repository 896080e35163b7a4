package dev.sandboxes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.batch.RetryPolicy;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.model.SandboxSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The batch the cluster suites run: item {@code i} is a small busybox pod that prints
 * {@code square i²}, so every result shows whose output it is.
 */
final class SquareBatch {
  static final int PARALLELISM = 20;

  private SquareBatch() {}

  static BatchSpec of(String name, int items) {
    return slow(name, items, 0);
  }

  /** The same batch, each item first sleeping {@code seconds}: one that outlasts a rollout. */
  static BatchSpec slow(String name, int items, int seconds) {
    String square = "echo square $((SANDBOX_INDEX * SANDBOX_INDEX))";
    SandboxSpec item = SandboxSpec.builder("busybox:1.36")
        .command("sh", "-c", seconds > 0 ? "sleep " + seconds + "; " + square : square).cpu("10m").memory("16Mi").build();
    return BatchSpec.ofCount(name, item, items, PARALLELISM).withRetry(RetryPolicy.attempts(2));
  }

  /** The output item {@code index} must report. */
  static List<String> expectedTail(int index) {
    return List.of("square " + ((long) index * index));
  }

  /** The batch succeeded, and each item is reported exactly once, with its own output. */
  static void assertEveryItemOnce(BatchProgress done, List<ItemResult> results, int items) {
    assertThat(done.state()).as("batch state, %s", done).isEqualTo(BatchProgress.SUCCEEDED);
    assertThat(done.succeeded()).as("items succeeded").isEqualTo(items);
    assertThat(results).as("item results").hasSize(items);
    Map<Integer, Long> perIndex = results.stream().collect(Collectors.groupingBy(ItemResult::index, Collectors.counting()));
    assertThat(perIndex.keySet()).as("indexes reported")
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, items).boxed().toList());
    assertThat(perIndex.values()).as("reports per item").allMatch(n -> n == 1);
    for (ItemResult r : results) {
      assertThat(r.succeeded()).as("item %d: %s", r.index(), r).isTrue();
      assertThat(r.tail()).as("output of item %d", r.index()).isEqualTo(expectedTail(r.index()));
    }
  }

  /**
   * What the API server saw matches what the batch reports: one pod per attempt, never two
   * under one name, and the pod of every item's last attempt among them.
   */
  static void assertOnePodPerAttempt(List<ItemResult> results, PodHistory pods) {
    assertThat(pods.createdTwice()).as("pod names created more than once").isEmpty();
    assertThat(pods.names()).as("pods of the items' last attempts")
        .containsAll(results.stream().map(ItemResult::sandbox).toList());
    assertThat(pods.created()).as("pods created, against attempts reported")
        .isEqualTo(results.stream().mapToInt(ItemResult::attempts).sum());
  }

  /** After a failure: the batch's sandboxes are terminated by its worker, if that still runs. */
  static void cancelAfterFailure(BatchClient batches, String batch, WorkerProcess worker) {
    if (worker == null || !worker.isAlive()) {
      return;
    }
    try {
      batches.cancel(batch);
      batches.awaitDone(batch, Duration.ofMinutes(2));
    } catch (RuntimeException e) {
      System.out.println("could not cancel batch " + batch + " after the failure: " + e);
    }
  }

  /**
   * Terminates the workflow if it is still open once the test's last worker is gone: nothing
   * polls the test's task queue any more, and an open workflow there would hang whoever later
   * waits on it (the dev stack terminates every open sandbox when it stops). The children of a
   * batch are terminated with it; their pods are left to the reaper and their deadlines.
   */
  static void closeForGood(WorkflowClient client, String workflowId) {
    try {
      WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
      if (!stub.describe().getWorkflowExecutionInfo().hasCloseTime()) {
        stub.terminate("the crash test's workers are gone");
        System.out.println("terminated " + workflowId + ", still open after the test");
      }
    } catch (RuntimeException e) {
      System.out.println("could not check or terminate " + workflowId + ": " + e);
    }
  }
}
