package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.NameAlreadyUsedException;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.model.SandboxReason;
import static org.assertj.core.api.Assertions.catchThrowable;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SandboxWorkflow and the author API with the real activities, on the Temporal test server over
 * a scripted runtime: the workflow and its activities together (heartbeats, error mapping,
 * idempotent creates). The workflow alone, against the activities in memory, is
 * {@code SandboxWorkflowImplTest} in the workflows module.
 */
class SandboxWorkflowTest {
  static final String QUEUE = TaskQueues.DEFAULT;

  ScriptedRuntime runtime;
  TestWorkflowEnvironment env;
  WorkflowClient client;
  SandboxClient sandboxes;

  @BeforeEach
  void start() {
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime, OwnerWorkflowImpl.class);
    client = env.getWorkflowClient();
    sandboxes = new SandboxClient(client, QUEUE);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  static SandboxSpec spec(String name) {
    return SandboxSpec.builder("busybox:1.36").name(name).command("sh", "-c", "echo hi")
        .tag("team", "infra").build();
  }

  SandboxStatus awaitPhase(String name, SandboxPhase phase) {
    await(() -> {
      try {
        return sandboxes.describe(name).phase() == phase;
      } catch (dev.sandboxes.model.SandboxNotFoundException e) {
        return false; // not started yet
      }
    }, "sandbox " + name + " to be " + phase);
    return sandboxes.describe(name);
  }

  static void await(BooleanSupplier condition, String what) {
    Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(condition::getAsBoolean);
  }

  List<HistoryEvent> history(String name) {
    return client.fetchHistory(WorkflowIds.sandboxWorkflowId(name)).getEvents();
  }

  List<String> upsertedPhases(String name) {
    return history(name).stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
        .map(e -> e.getUpsertWorkflowSearchAttributesEventAttributes().getSearchAttributes()
            .getIndexedFieldsMap().get("SandboxPhase"))
        .filter(java.util.Objects::nonNull)
        .map(p -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(p, String.class, String.class))
        .toList();
  }

  String searchAttributePhase(String name) {
    var response = env.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
        DescribeWorkflowExecutionRequest.newBuilder().setNamespace(env.getNamespace())
            .setExecution(WorkflowExecution.newBuilder()
                .setWorkflowId(WorkflowIds.sandboxWorkflowId(name))).build());
    var payload = response.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap()
        .get("SandboxPhase");
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
  }

  // --- phase paths --------------------------------------------------------------------------

  @Test
  void mainProcessExitingZeroSucceedsThroughEveryPhaseAndDeletesThePod() {
    String name = sandboxes.start(spec("ok-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    runtime.print(name, "hi");
    runtime.move(name, SandboxPhase.SUCCEEDED, "Completed", 0);
    SandboxResult result = sandboxes.result(name);

    assertThat(result.phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    assertThat(result.exitCode()).isZero();
    assertThat(result.status().startedAt()).isNotNull();
    assertThat(result.status().finishedAt()).isNotNull();
    assertThat(result.logs().lines()).extracting(LogLine::text).containsExactly("hi");
    assertThat(runtime.exists(name)).isFalse();
    assertThat(upsertedPhases(name)).containsExactly("creating", "running", "succeeded");
    assertThat(searchAttributePhase(name)).isEqualTo("succeeded");
  }

  @Test
  void mainProcessExitingNonZeroFailsWithItsExitCode() {
    String name = sandboxes.start(spec("fail-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    runtime.move(name, SandboxPhase.FAILED, "Error", 3);
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.status().reason()).isEqualTo("Error");
    assertThat(runtime.exists(name)).isFalse();
  }

  @Test
  void imagePullFailureFailsFastWithItsReason() {
    runtime.startIn(SandboxPhase.CREATING, null, false);
    String name = sandboxes.start(spec("pull-1"));
    awaitPhase(name, SandboxPhase.CREATING);
    runtime.move(name, SandboxPhase.FAILED, "ErrImagePull", null);
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.status().reason()).isEqualTo("ErrImagePull");
    assertThat(runtime.exists(name)).isFalse();
  }

  @Test
  void quotaExceededQueuesAndRetriesTheCreateUntilThereIsRoom() {
    runtime.rejectForQuota(2);
    String name = sandboxes.start(spec("quota-1"));
    SandboxStatus running = awaitPhase(name, SandboxPhase.RUNNING);
    assertThat(running.reason()).isNull();
    assertThat(upsertedPhases(name)).containsExactly("creating", "running");
    assertThat(runtime.calls()).filteredOn(c -> c.startsWith("create")).hasSize(3);
    assertThat(runtime.objectsCreated()).isEqualTo(1);
    sandboxes.terminate(name, null);
  }

  @Test
  void terminateDeletesThePodAndIsIdempotent() {
    String name = sandboxes.start(spec("term-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    SandboxStatus terminated = sandboxes.terminate(name, "done with it");
    assertThat(terminated.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(terminated.reason()).isEqualTo("TerminateRequested");
    assertThat(terminated.message()).isEqualTo("done with it");
    assertThat(runtime.exists(name)).isFalse();
    assertThat(sandboxes.terminate(name, null).phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(runtime.deletes()).isEqualTo(1);
    assertThat(searchAttributePhase(name)).isEqualTo("terminated");
  }

  @Test
  void ttlTerminatesAQueuedSandboxInSkippedTime() {
    // Queued for quota, the workflow waits on durable timers only, so the test server can skip
    // the two hours. (A running sandbox holds a watch activity open, which pauses skipping.)
    runtime.rejectForQuota(Integer.MAX_VALUE);
    String name = sandboxes.start(spec("ttl-1").toBuilder().ttl(Duration.ofHours(2))
        .scheduleTimeout(Duration.ofHours(3)).build());
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(result.status().reason()).isEqualTo("TTLExpired");
    assertThat(Duration.between(result.status().createdAt(), result.status().finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofHours(2));
    assertThat(runtime.objectsCreated()).isZero();
  }

  @Test
  void aSandboxQueuedPastItsScheduleTimeoutFailsNamingThePlatformsLastWord() {
    runtime.rejectForQuota(Integer.MAX_VALUE);
    String name = sandboxes.start(spec("sched-1").toBuilder().scheduleTimeout(Duration.ofMinutes(20)).build());
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.status().reason()).isEqualTo("ScheduleTimeout");
    assertThat(result.status().message()).startsWith("still queued after PT20M: QuotaExceeded ");
    assertThat(Duration.between(result.status().createdAt(), result.status().finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMinutes(20)).isLessThan(Duration.ofMinutes(22));
    assertThat(runtime.objectsCreated()).isZero();
  }

  @Test
  void aSandboxCreatingPastItsStartupTimeoutFailsAndItsPodIsDeleted() {
    runtime.startIn(SandboxPhase.CREATING, "ContainerCreating", false);
    String name = sandboxes.start(spec("startup-1").toBuilder().startupTimeout(Duration.ofSeconds(2)).build());
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.status().reason()).isEqualTo("StartupTimeout");
    assertThat(result.status().message()).isEqualTo("still creating after PT2S: ContainerCreating");
    assertThat(runtime.exists(name)).isFalse();
  }

  @Test
  void theWorkersDefaultScheduleTimeoutAppliesWhenTheSpecSetsNone() {
    env.close();
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime, SandboxLimits.defaults().withScheduleTimeout(Duration.ofMinutes(3)));
    client = env.getWorkflowClient();
    sandboxes = new SandboxClient(client, QUEUE);
    runtime.rejectForQuota(Integer.MAX_VALUE);
    String name = sandboxes.start(spec("sched-2"));
    SandboxResult result = sandboxes.result(name);
    assertThat(result.status().reason()).isEqualTo("ScheduleTimeout");
    assertThat(result.status().message()).startsWith("still queued after PT3M");
  }

  @Test
  void aTtlAboveTheWorkersMaximumLifetimeIsRefusedAndCreatesNothing() {
    String name = sandboxes.start(spec("ttl-max").toBuilder().ttl(Duration.ofHours(25)).build());
    // the workflow failed at its start, typed; its sandbox is failed, for every client
    Throwable failed = catchThrowable(() -> client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name))
        .getResult(SandboxResult.class));
    assertThat(failed.getCause()).isInstanceOfSatisfying(io.temporal.failure.ApplicationFailure.class,
        e -> assertThat(e.getType()).isEqualTo(SandboxErrors.INVALID_SPEC));
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.status().reason()).isEqualTo(SandboxReason.INVALID_SPEC.wireName());
    assertThat(result.status().message())
        .contains("ttl: must be at most the worker's maximum sandbox lifetime of PT24H, got PT25H");
    assertThat(sandboxes.describe(name)).isEqualTo(result.status());
    assertThat(runtime.objectsCreated()).isZero();
  }

  @Test
  void ttlTerminatesARunningSandbox() {
    String name = sandboxes.start(spec("ttl-2").toBuilder().ttl(Duration.ofSeconds(2)).build());
    awaitPhase(name, SandboxPhase.RUNNING);
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(result.status().reason()).isEqualTo("TTLExpired");
    assertThat(runtime.exists(name)).isFalse();
  }

  @Test
  void cancellingTheWorkflowTerminatesTheSandboxAndDeletesThePod() {
    String name = sandboxes.start(spec("cancel-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).cancel();
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(result.status().reason()).isEqualTo("Cancelled");
    assertThat(runtime.exists(name)).isFalse();
  }

  @Test
  void cancellingWhileTheCreateIsInFlightDeletesThePodTheCreateMakes() {
    runtime.holdCreates();
    String name = sandboxes.start(spec("cancel-creating-1"));
    await(() -> runtime.calls().contains("create " + name), "the create to reach the runtime");
    client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).cancel();
    await(() -> history(name).stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED),
        "the create's cancellation");
    runtime.releaseCreates();
    await(() -> runtime.objectsCreated() == 1, "the held create to store its pod");
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(result.status().reason()).isEqualTo("Cancelled");
    assertThat(runtime.exists(name)).as("runtime calls %s", runtime.calls()).isFalse();
    assertThat(runtime.calls()).containsSubsequence("create " + name, "delete " + name);
  }

  // --- names, input, exec -------------------------------------------------------------------

  // --- batch items: a quick end is seen by the create ----------------------------------------

  /** Starts a sandbox as a batch chunk does: its caller collects a trimmed result. */
  SandboxWorkflow startAsBatchItem(SandboxSpec spec) {
    SandboxWorkflow item = client.newWorkflowStub(SandboxWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.sandboxWorkflowId(spec.name())).setTaskQueue(QUEUE)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(spec)).build());
    WorkflowClient.start(item::run, new SandboxRequest(spec, false, null, null, 20));
    return item;
  }

  List<String> activityTypes(String name) {
    return history(name).stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .toList();
  }

  @Test
  void aBatchItemThatEndsWhileItsCreateWatchesTakesTwoActivitiesNoWatchAndNoCheckpoint() {
    runtime.runToCompletion(spec -> 0);
    SandboxSpec spec = spec("item-quick").toBuilder().env("SANDBOX_INDEX", "7").build();
    startAsBatchItem(spec);
    SandboxResult result = WorkflowStub.fromTyped(client.newWorkflowStub(SandboxWorkflow.class,
        WorkflowIds.sandboxWorkflowId("item-quick"))).getResult(SandboxResult.class);

    assertThat(result.phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    assertThat(result.exitCode()).isZero();
    assertThat(result.logs().lines()).extracting(LogLine::text).containsExactly("item 7 input null");
    assertThat(runtime.exists("item-quick")).isFalse();
    // the create read the ended item's lines; its cleanup only deletes (no checkpoint heartbeat)
    assertThat(activityTypes("item-quick")).containsExactly("SandboxCreateAndAwaitEnd", "SandboxDelete");
    assertThat(history("item-quick")).hasSizeLessThanOrEqualTo(20);
    // one version marker (phase-timeouts, asked at the start): the settled create costs none
    assertThat(history("item-quick")).filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED)
        .hasSize(1);
    assertThat(upsertedPhases("item-quick")).containsExactly("succeeded");
  }

  @Test
  void aBatchItemStillGoingWhenItsCreateStopsWatchingIsFollowedAsBefore() {
    runtime.runToCompletion(spec -> -1); // runs until deleted
    startAsBatchItem(spec("item-slow"));
    // the create answers running once it has watched for SandboxCreation.AWAIT_END (5 s)
    awaitPhase("item-slow", SandboxPhase.RUNNING);
    runtime.move("item-slow", SandboxPhase.FAILED, "Error", 2);
    SandboxResult result = sandboxes.result("item-slow");

    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(runtime.exists("item-slow")).isFalse();
    assertThat(activityTypes("item-slow"))
        .containsExactly("SandboxCreateAndAwaitEnd", "SandboxAwaitChange", "SandboxCaptureAndDelete");
    assertThat(upsertedPhases("item-slow")).containsExactly("running", "failed");
  }

  @Test
  void aSandboxThatIsNotABatchItemShowsRunningAsSoonAsItsCreateAnswers() {
    runtime.runToCompletion(spec -> 0);
    String name = sandboxes.start(spec("not-item"));
    assertThat(sandboxes.result(name).phase()).isEqualTo(SandboxPhase.SUCCEEDED);
    // its create answered creating at once; the watch saw the end
    assertThat(activityTypes(name))
        .containsExactly("SandboxCreate", "SandboxAwaitChange", "SandboxCaptureAndDelete");
  }

  @Test
  void aNameIsNeverUsedTwiceEvenAfterTheSandboxEnded() {
    String name = sandboxes.start(spec("reuse-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    sandboxes.terminate(name, null);
    assertThatThrownBy(() -> sandboxes.start(spec("reuse-1")))
        .isInstanceOf(NameAlreadyUsedException.class)
        .hasMessage("sandbox name \"reuse-1\" is already used; sandbox names are never reused, "
            + "even after the sandbox ended");
  }

  @Test
  void aSpecWithoutNameGetsAGeneratedOne() {
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").build());
    assertThat(name).matches("sbx-[a-z0-9]{12}");
    awaitPhase(name, SandboxPhase.RUNNING);
    sandboxes.terminate(name, null);
  }

  @Test
  void anInvalidSpecIsRejectedBeforeAnythingStarts() {
    assertThatThrownBy(() -> sandboxes.start(spec("Bad_Name")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("name: must be a DNS-1123 label");
    assertThat(runtime.objectsCreated()).isZero();
  }

  @Test
  void execReturnsTheCommandsOutputAndCounts() {
    String name = sandboxes.start(spec("exec-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    ExecResult result = sandboxes.exec(name, ExecRequest.of("echo", "hello"));
    assertThat(result.stdout()).isEqualTo("hello\n");
    assertThat(result.exitCode()).isZero();
    assertThat(sandboxes.describe(name).execCount()).isEqualTo(1);
    sandboxes.terminate(name, null);
  }

  @Test
  void execIsRejectedNamingThePhaseWhenTheSandboxIsNotRunning() {
    runtime.startIn(SandboxPhase.CREATING, null, false);
    String name = sandboxes.start(spec("exec-early"));
    awaitPhase(name, SandboxPhase.CREATING);
    assertThatThrownBy(() -> sandboxes.exec(name, ExecRequest.of("echo", "x")))
        .isInstanceOfSatisfying(SandboxException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING);
          assertThat(e.getMessage())
              .isEqualTo("sandbox \"exec-early\" is creating; exec needs a running sandbox");
        });
    assertThat(runtime.calls()).noneMatch(c -> c.startsWith("exec"));
    sandboxes.terminate(name, null);
  }

  @Test
  void logsStayReadableAfterTheWorkflowClosed() {
    String name = sandboxes.start(spec("logs-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    runtime.print(name, "one");
    runtime.print(name, "two");
    assertThat(sandboxes.logs(name, LogRequest.defaults()).lines()).extracting(LogLine::text)
        .containsExactly("one", "two");
    runtime.move(name, SandboxPhase.SUCCEEDED, "Completed", 0);
    sandboxes.result(name);
    assertThat(sandboxes.logs(name, LogRequest.lastLines(1)).lines()).extracting(LogLine::text)
        .containsExactly("two");
    assertThat(sandboxes.describe(name).phase()).isEqualTo(SandboxPhase.SUCCEEDED);
  }

  @Test
  void aTransientFailureDuringCreateIsRetriedWithoutASecondPod() {
    runtime.failCreatesAfterStoring(1);
    String name = sandboxes.start(spec("flaky-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    assertThat(runtime.calls()).filteredOn(c -> c.startsWith("create")).hasSize(2);
    assertThat(runtime.objectsCreated()).isEqualTo(1);
    sandboxes.terminate(name, null);
  }

  @Test
  void continuesAsNewAfterManyUpdatesKeepingItsState() {
    SandboxSpec spec = spec("long-1");
    WorkflowStub stub = client.newUntypedWorkflowStub("Sandbox", WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.sandboxWorkflowId("long-1")).setTaskQueue(QUEUE)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(spec)).build());
    WorkflowExecution first = stub.start(new SandboxRequest(spec, false, null, 3));
    awaitPhase("long-1", SandboxPhase.RUNNING);
    for (int i = 0; i < 7; i++) {
      int n = i;
      await(() -> {
        try {
          return sandboxes.exec("long-1", ExecRequest.of("echo", "n" + n)).stdout().equals("n" + n + "\n");
        } catch (SandboxException e) {
          return false; // rejected while the run hands over; the caller retries
        }
      }, "exec " + i);
    }
    SandboxStatus status = sandboxes.describe("long-1");
    assertThat(status.phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(status.execCount()).isGreaterThanOrEqualTo(7);
    String latestRun = client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId("long-1"))
        .describe().getWorkflowExecutionInfo().getExecution().getRunId();
    assertThat(latestRun).isNotEqualTo(first.getRunId());
    assertThat(runtime.objectsCreated()).isEqualTo(1);
    sandboxes.terminate("long-1", null);
    assertThat(runtime.exists("long-1")).isFalse();
  }

  // --- author API ---------------------------------------------------------------------------

  @Test
  void authorApiRunsExecInTheParentAndTerminatesOnClose() {
    OwnerWorkflow owner = client.newWorkflowStub(OwnerWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("owner-1").setTaskQueue(QUEUE).build());
    List<String> out = owner.run("child-1", false);
    assertThat(out).containsExactly("hello\n", "terminated");
    assertThat(runtime.exists("child-1")).isFalse();
    assertThat(client.fetchHistory("owner-1").getEvents()).anyMatch(e ->
        e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("SandboxExec"));
  }

  @Test
  void cancellingTheParentTerminatesItsSandbox() {
    OwnerWorkflow owner = client.newWorkflowStub(OwnerWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("owner-2").setTaskQueue(QUEUE).build());
    CompletableFuture<List<String>> running = WorkflowClient.execute(owner::run, "child-2", true);
    awaitPhase("child-2", SandboxPhase.RUNNING);
    // Cancel once the owner's exec is done: the Java test server does not apply a workflow task
    // atomically when cancelling an activity races its completion (ACTIVITY_UNKNOWN), and the
    // retried task then repeats the child's cancellation, which it refuses.
    await(() -> client.fetchHistory("owner-2").getEvents().stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), "the owner's exec");
    client.newUntypedWorkflowStub("owner-2").cancel();
    SandboxResult child = sandboxes.result("child-2");
    assertThat(child.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(child.status().reason()).isEqualTo("Cancelled");
    assertThat(runtime.exists("child-2")).isFalse();
    // The parent ends cancelled (its cleanup finished first: the child result was already there).
    assertThat(running).failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(io.temporal.client.WorkflowFailedException.class);
  }

  // --- cost ---------------------------------------------------------------------------------

  /**
   * Counts the billable actions (as Temporal Cloud defines them) of create → running → one exec
   * → terminate. The number is pinned so that a change that adds actions is a visible decision.
   */
  @Test
  void oneSandboxWithOneExecCostsTwelveActions() {
    String name = sandboxes.start(spec("cost-1"));
    awaitPhase(name, SandboxPhase.RUNNING);
    sandboxes.exec(name, ExecRequest.of("echo", "x"));
    sandboxes.terminate(name, null);
    sandboxes.result(name);

    Map<String, Integer> actions = new TreeMap<>();
    for (HistoryEvent e : history(name)) {
      String kind = switch (e.getEventType()) {
        case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> "workflow started";
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ->
            "activity " + e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
        case EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES -> "search attribute upsert";
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> "update";
        case EVENT_TYPE_TIMER_STARTED -> "timer";
        case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> "signal";
        case EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED -> "signal sent";
        case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED -> "child started";
        default -> null;
      };
      if (kind != null) {
        actions.merge(kind, 1, Integer::sum);
      }
    }
    System.out.println("actions for create → running → exec → terminate: " + actions);
    assertThat(actions).containsEntry("workflow started", 1)
        .containsEntry("activity SandboxCreate", 1)
        .containsEntry("activity SandboxAwaitChange", 2)
        .containsEntry("activity SandboxExec", 1)
        // logs captured and the pod deleted in one activity (change cleanup-in-one-activity)
        .containsEntry("activity SandboxCaptureAndDelete", 1)
        .containsEntry("search attribute upsert", 3)
        .containsEntry("update", 2)
        // the startup timeout's timer: the pod is creating when create answers
        .containsEntry("timer", 1);
    assertThat(actions.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(12);
  }
}
