package dev.sandboxes.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.batch.BatchProgress;
import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.BatchWorkflow;
import dev.sandboxes.batch.Batches;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.batch.RetryPolicy;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.internal.InMemory;
import dev.sandboxes.workflow.internal.FakeSandboxActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The batch and chunk workflows alone, their items being sandbox workflows over the activities in
 * memory ({@link FakeSandboxActivities}, each sandbox running by itself): parallelism, retries in
 * new sandboxes, fail-fast, cancellation, chunks, continue-as-new and the author API's map, on
 * the Temporal test server. Batches with the real activities run on the local runtime in the
 * samples' and CLI tests, and on a real cluster in the e2e suite.
 */
class BatchWorkflowImplTest {
  static final SandboxSpec TEMPLATE = SandboxSpec.builder("busybox:1.36").command("sh", "-c", "echo $SANDBOX_INDEX").build();

  final FakeSandboxActivities platform = new FakeSandboxActivities();
  @RegisterExtension final InMemory temporal = new InMemory(List.of(MapWorkflowImpl.class), platform);
  WorkflowClient client;
  BatchClient batches;

  @WorkflowInterface
  public interface MapWorkflow {
    @WorkflowMethod
    List<String> run(List<String> words);
  }

  public static class MapWorkflowImpl implements MapWorkflow {
    @Override
    public List<String> run(List<String> words) {
      return Batches.map(words, w -> SandboxSpec.builder("busybox:1.36").env("SANDBOX_INPUT", w)
          .command("echo", w).build(), 2).stream()
          .map(r -> r.phase().wireName() + ":" + r.logs().lines().get(0).text()).toList();
    }
  }

  @BeforeEach
  void clients() {
    client = temporal.client();
    batches = new BatchClient(client, TaskQueues.DEFAULT);
  }

  static int index(SandboxSpec spec) {
    return Integer.parseInt(spec.env().get(BatchSpec.INDEX_ENV));
  }

  static void await(BooleanSupplier condition, String what) {
    Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(condition::getAsBoolean);
  }

  boolean createCancelRequested(String sandbox) {
    return client.fetchHistory(WorkflowIds.sandboxWorkflowId(sandbox)).getEvents().stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
  }

  BatchProgress finished(String name) {
    return batches.awaitDone(name, Duration.ofMinutes(2)).orElseThrow();
  }

  @Test
  void aTemplateRunsCountTimesWithinItsParallelismAndEveryResultComesBack() {
    platform.runToCompletion(spec -> 0);
    String name = batches.start(BatchSpec.ofCount("counted", TEMPLATE, 25, 4));
    BatchProgress done = finished(name);
    assertThat(done.state()).isEqualTo(BatchProgress.SUCCEEDED);
    assertThat(done.succeeded()).isEqualTo(25);
    assertThat(done.done()).isEqualTo(25);
    assertThat(platform.peakSandboxes()).isBetween(1, 4);
    List<ItemResult> results = batches.results(name);
    assertThat(results).extracting(ItemResult::index).containsExactlyElementsOf(IntStream.range(0, 25).boxed().toList());
    assertThat(results.get(7).sandbox()).isEqualTo("counted-7");
    assertThat(results.get(7).tail()).containsExactly("item 7 input null");
    assertThat(results).allSatisfy(r -> assertThat(r.exitCode()).isZero());
    assertThat(platform.objectsCreated()).isEqualTo(25);
  }

  @Test
  void inputsReachTheirItems() {
    platform.runToCompletion(spec -> 0);
    String name = batches.start(BatchSpec.ofInputs("inputs", TEMPLATE, List.of("a", "b b", "c"), 2));
    assertThat(finished(name).succeeded()).isEqualTo(3);
    assertThat(batches.results(name)).extracting(r -> r.tail().get(0))
        .containsExactly("item 0 input a", "item 1 input b b", "item 2 input c");
  }

  @Test
  void failedItemsAreRetriedInNewSandboxesAndTheRestFailForGood() {
    // odd items fail on their first attempt; item 4 always fails with 3
    platform.runToCompletion(spec -> index(spec) == 4 ? 3 : index(spec) % 2 == 1 && !spec.name().contains("-r") ? 1 : 0);
    String name = batches.start(BatchSpec.ofCount("retried", TEMPLATE, 6, 3)
        .withRetry(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(4), List.of("exit:1", "exit:3"))));
    BatchProgress done = finished(name);
    assertThat(done.state()).isEqualTo(BatchProgress.FAILED);
    assertThat(done.succeeded()).isEqualTo(5);
    assertThat(done.failed()).isEqualTo(1);
    assertThat(done.retries()).isEqualTo(3 + 2);
    List<ItemResult> results = batches.results(name);
    assertThat(results.get(1).sandbox()).isEqualTo("retried-1-r2");
    assertThat(results.get(1).attempts()).isEqualTo(2);
    assertThat(results.get(4).sandbox()).isEqualTo("retried-4-r3");
    assertThat(results.get(4).exitCode()).isEqualTo(3);
    assertThat(results.get(4).reason()).isEqualTo("Error");
    assertThat(platform.calls()).contains("create retried-1", "create retried-1-r2")
        .doesNotContain("create retried-0-r2");
  }

  @Test
  void failFastTerminatesTheRunningItemsAndSkipsTheRest() {
    // every item runs until it is stopped; item 2 fails once items 0 and 1 are being watched (a
    // cancel recorded while a create answers wedges the sandbox on the Java test server,
    // temporalio/sdk-java#2391; on a real server the order does not matter)
    platform.runToCompletion(spec -> -1);
    String name = batches.start(BatchSpec.ofCount("fast", TEMPLATE, 12, 3).withFailFast(true));
    await(() -> platform.calls().containsAll(List.of("awaitChange fast-0", "awaitChange fast-1", "awaitChange fast-2")),
        "the first three items running");
    platform.move("fast-2", SandboxPhase.FAILED, "Error", 1);
    BatchProgress done = finished(name);
    assertThat(done.state()).isEqualTo(BatchProgress.FAILED);
    assertThat(done.failed()).isEqualTo(1);
    assertThat(done.terminated()).isEqualTo(2);
    assertThat(done.skipped()).isEqualTo(9);
    List<ItemResult> results = batches.results(name);
    assertThat(results.get(0).phase()).isEqualTo("terminated");
    assertThat(results.get(11).phase()).isEqualTo(ItemResult.SKIPPED);
    assertThat(platform.exists("fast-0")).isFalse();
    assertThat(platform.exists("fast-1")).isFalse();
  }

  @Test
  void cancellingABatchTerminatesEveryRunningItem() {
    platform.runToCompletion(spec -> -1);
    // The cancel reaches the items while their creates are in flight, and the creates answer only
    // after it was recorded: a create answering while its cancel is being recorded wedges the
    // sandbox on the Java test server (ACTIVITY_UNKNOWN, temporalio/sdk-java#2391).
    platform.holdCreates();
    String name = batches.start(BatchSpec.ofCount("cancelled", TEMPLATE, 10, 4));
    await(() -> platform.calls().stream().filter(c -> c.startsWith("create ")).count() == 4, "four creates in flight");
    batches.cancel(name);
    await(() -> IntStream.range(0, 4).allMatch(i -> createCancelRequested("cancelled-" + i)), "the creates' cancellations");
    platform.releaseCreates();
    await(() -> platform.objectsCreated() == 4, "the held creates to make their objects");
    assertThat(finished(name).state()).isEqualTo(BatchProgress.CANCELLED);
    assertThat(IntStream.range(0, 10).filter(i -> platform.exists("cancelled-" + i)))
        .as("item sandboxes left after the batch closed; calls %s", platform.calls()).isEmpty();
    List<ItemResult> results = batches.results(name);
    assertThat(results).filteredOn(r -> r.phase().equals("terminated")).hasSize(4);
    assertThat(results).filteredOn(r -> r.phase().equals(ItemResult.SKIPPED)).hasSize(6);
  }

  @Test
  void largeBatchesRunInChunksWhoseHistoriesStaySmall() {
    platform.runToCompletion(spec -> 0);
    // 4 attempts per item: chunks of 100 items, so 250 items run as three chunks
    String name = batches.start(BatchSpec.ofCount("chunked", TEMPLATE, 250, 25).withRetry(RetryPolicy.attempts(4)));
    BatchProgress done = finished(name);
    assertThat(done.succeeded()).isEqualTo(250);
    assertThat(done.chunks()).isEqualTo(3);
    assertThat(batches.results(name)).hasSize(250).extracting(ItemResult::index)
        .containsExactlyElementsOf(IntStream.range(0, 250).boxed().toList());
    assertThat(client.fetchHistory(WorkflowIds.batchWorkflowId(name)).getEvents()).hasSizeLessThan(60);
    assertThat(client.fetchHistory(WorkflowIds.batchChunkWorkflowId(name, 0)).getEvents()).hasSizeLessThan(4096);
  }

  @Test
  void aBatchContinuesAsNewBetweenChunksKeepingItsCounts() {
    // 10 attempts per item: chunks of 40, so 100 items are three chunks, one per run here
    platform.runToCompletion(spec -> index(spec) == 3 || index(spec) == 85 ? 1 : 0);
    BatchSpec spec = BatchSpec.ofCount("continued", TEMPLATE, 100, 10)
        .withRetry(new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(10), null));
    BatchWorkflow stub = client.newWorkflowStub(BatchWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(TaskQueues.DEFAULT).setWorkflowId(WorkflowIds.batchWorkflowId("continued")).build());
    WorkflowClient.start(stub::run, new BatchRequest(spec, null, 0, 1));
    BatchProgress done = finished("continued");
    assertThat(done.chunks()).isEqualTo(3);
    assertThat(done.succeeded()).isEqualTo(98);
    assertThat(done.failed()).isEqualTo(2);
    assertThat(done.retries()).isEqualTo(2 * 9);
    var lastRun = client.fetchHistory(WorkflowIds.batchWorkflowId("continued")).getEvents();
    assertThat(lastRun.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId())
        .as("the last run was continued from an earlier one").isNotEmpty();
    assertThat(lastRun).hasSizeLessThan(30);
    assertThat(batches.results("continued")).hasSize(100);
  }

  @Test
  void mapRunsOneSandboxPerItemFromWorkflowCodeInOrder() {
    platform.runToCompletion(spec -> 0);
    MapWorkflow map = client.newWorkflowStub(MapWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(TaskQueues.DEFAULT).setWorkflowId("mapper").build());
    assertThat(map.run(List.of("x", "y", "z", "w", "v")))
        .containsExactly("succeeded:item null input x", "succeeded:item null input y", "succeeded:item null input z",
            "succeeded:item null input w", "succeeded:item null input v");
  }

  @Test
  void aBadBatchIsRefusedNamingEveryFieldAndRuleAndStartsNothing() {
    assertThatThrownBy(() -> batches.start(new BatchSpec("Bad Name", List.of(TEMPLATE), TEMPLATE, 3, null, 0,
        RetryPolicy.attempts(11), false, 500)))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("name: must be a DNS-1123 label")
        .hasMessageContaining("items: give either a list of specs or a template, not both")
        .hasMessageContaining("parallelism: must be between 1 and 1000, got 0")
        .hasMessageContaining("retry.attempts: must be between 1 and 10, got 11")
        .hasMessageContaining("tailLines: must be between 0 and 200, got 500");
    assertThatThrownBy(() -> batches.start(BatchSpec.ofCount("huge", TEMPLATE, 100_001, 5)))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("count: must give 1 to 100000 items");
    assertThatThrownBy(() -> batches.start(BatchSpec.ofCount("badtemplate",
        SandboxSpec.builder("busybox:1.36").memory("lots").build(), 3, 1)))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("template.memory");
    assertThat(platform.calls()).isEmpty();
  }
}
