package dev.sandboxes.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.LogLine;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxReason;
import dev.sandboxes.model.SandboxNotRunningException;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.client.SandboxFilter;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.model.ExecResult;
import dev.sandboxes.model.SandboxStatus;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.SandboxResult;
import dev.sandboxes.workflow.SandboxWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sandbox workflow alone, against the activities in memory ({@link FakeSandboxActivities}):
 * each way a sandbox ends, what it cleans up and what it must never touch, on the Temporal test
 * server. The same workflow with the real activities over a scripted runtime is tested in the
 * activities module ({@code SandboxWorkflowTest}), and on a real cluster by the e2e suite.
 */
class SandboxWorkflowImplTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  final FakeSandboxActivities platform = new FakeSandboxActivities();
  @RegisterExtension final InMemory temporal = new InMemory(List.of(), platform);
  SandboxClient sandboxes;

  @BeforeEach
  void clients() {
    sandboxes = new SandboxClient(temporal.client(), TaskQueues.DEFAULT);
  }

  static SandboxSpec spec(String name) {
    return SandboxSpec.builder("busybox:1.36").name(name).command("sh", "-c", "echo hi").build();
  }

  /** Starts the sandbox and brings it to running. */
  String running(SandboxSpec spec) throws InterruptedException {
    String name = sandboxes.start(spec);
    platform.awaitCreated(name);
    platform.move(name, SandboxPhase.RUNNING, null, null);
    assertThat(sandboxes.awaitRunning(name, WAIT).phase()).isEqualTo(SandboxPhase.RUNNING);
    return name;
  }

  /** Waits for the sandbox's result and checks how it ended and that its object is gone. */
  SandboxResult endsAs(String name, SandboxPhase phase, String reason) {
    SandboxResult result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(phase);
    assertThat(result.status().reason()).isEqualTo(reason);
    assertThat(platform.exists(name)).as("the sandbox's object after the end").isFalse();
    return result;
  }

  long calls(String prefix) {
    return platform.calls().stream().filter(c -> c.startsWith(prefix)).count();
  }

  @Test
  void aSandboxWhoseProcessExitsZeroSucceedsAndIsCleanedUpInOneActivityKeepingItsLogs() throws Exception {
    String name = running(spec("ok"));
    platform.move(name, SandboxPhase.SUCCEEDED, "Completed", 0);
    SandboxResult result = endsAs(name, SandboxPhase.SUCCEEDED, "Completed");
    assertThat(result.exitCode()).isZero();
    assertThat(result.logs().lines()).extracting(LogLine::text).containsExactly("now running", "now succeeded");
    assertThat(platform.calls()).contains("captureAndDelete ok").doesNotContain("delete ok", "logs ok");
  }

  @Test
  void aSandboxWhoseProcessExitsNonZeroFailsWithTheExitCodeAndReason() throws Exception {
    String name = running(spec("fails"));
    platform.move(name, SandboxPhase.FAILED, "Error", 3);
    SandboxResult result = endsAs(name, SandboxPhase.FAILED, "Error");
    assertThat(result.exitCode()).isEqualTo(3);
  }

  @Test
  void aSandboxKeepsItsStatusInTheMemoSoThatListAnswersFromVisibilityWithoutItsWorker() throws Exception {
    String queued = sandboxes.start(spec("waits"));
    platform.awaitCreated(queued);
    String name = running(spec("listed"));
    sandboxes.exec(name, ExecRequest.of("true"));
    platform.move(name, SandboxPhase.FAILED, "Error", 3);
    endsAs(name, SandboxPhase.FAILED, "Error");
    SandboxStatus described = sandboxes.describe(name);
    // nobody left to answer a query: the listing must come from the visibility store alone
    temporal.env().getWorkerFactory().shutdownNow();
    temporal.env().getWorkerFactory().awaitTermination(10, TimeUnit.SECONDS);

    var rows = sandboxes.list(dev.sandboxes.client.SandboxFilter.all());
    var listed = rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    assertThat(listed.status()).as("the status kept in the memo").isEqualTo(described);
    assertThat(listed.status().exitCode()).isEqualTo(3);
    assertThat(listed.status().execCount()).isEqualTo(1);
    assertThat(listed.status().startedAt()).isNotNull();
    var waiting = rows.stream().filter(r -> r.name().equals(queued)).findFirst().orElseThrow();
    assertThat(waiting.memo()).as("a sandbox still creating keeps its status too").isNotNull();
    assertThat(waiting.status().phase()).isEqualTo(SandboxPhase.CREATING);
  }

  @Test
  void aQueuedSandboxWithAReasonAndTheStatusAfterAFailedCleanupAreInTheMemoToo() throws Exception {
    platform.refuseForQuota(1).forbidDeletes();
    String name = sandboxes.start(spec("held"));
    // refused once for quota: queued with that reason during the backoff (skipped time stops
    // while the test waits on the real clock below)
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> listed(name) != null);
    assertThat(listed(name).reason()).isEqualTo("QuotaExceeded");
    assertThat(listed(name).phase()).isEqualTo(SandboxPhase.QUEUED);

    temporal.env().sleep(SandboxCreation.QUOTA_BACKOFF_FIRST.plusSeconds(1));
    platform.awaitCreated(name);
    platform.move(name, SandboxPhase.RUNNING, null, null);
    sandboxes.awaitRunning(name, WAIT);
    sandboxes.terminate(name, "done");
    SandboxResult result = sandboxes.result(name);
    assertThat(result.status().message()).startsWith("done; cleanup failed:").contains("forbidden");
    assertThat(listed(name)).as("the memo after the cleanup").isEqualTo(result.status());
  }

  /** The status the memo keeps for {@code name}, as list reads it; null when none. */
  SandboxStatus listed(String name) {
    return sandboxes.list(dev.sandboxes.client.SandboxFilter.all()).stream()
        .filter(r -> r.name().equals(name)).findFirst().map(r -> r.status()).orElse(null);
  }

  @Test
  void theMemosStatusLeavesTheTagsToTheSearchAttributesAndCutsALongMessage() {
    SandboxStatus status = new SandboxStatus("n", "busybox:1.36", SandboxPhase.FAILED, "Error", "x".repeat(2000),
        3, null, null, null, null, java.util.Map.of("team", "a"), 0);
    SandboxStatus kept = (SandboxStatus) dev.sandboxes.workflow.SandboxPresentation.statusMemo(status)
        .get(dev.sandboxes.workflow.SandboxPresentation.STATUS_MEMO);
    assertThat(kept.tags()).isEmpty();
    assertThat(kept.message()).hasSize(dev.sandboxes.workflow.SandboxPresentation.MEMO_MESSAGE_LIMIT).endsWith("...");
    assertThat(kept.exitCode()).isEqualTo(3);
  }

  @Test
  void aQuotaRefusalIsRetriedOnDurableTimersUntilTheCreateIsTaken() throws Exception {
    platform.refuseForQuota(2);
    String name = sandboxes.start(spec("quota"));
    // past both backoffs (5 s, then 10 s) in skipped time; once the create is taken, the watch
    // activity runs and time goes at its real pace again
    temporal.env().sleep(SandboxCreation.QUOTA_BACKOFF_FIRST.multipliedBy(3).plusSeconds(1));
    platform.awaitCreated(name);
    platform.move(name, SandboxPhase.RUNNING, null, null);
    assertThat(sandboxes.awaitRunning(name, WAIT).reason()).isNull();
    assertThat(calls("create quota")).isEqualTo(3);
    assertThat(sandboxes.terminate(name, "done").phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(platform.exists(name)).isFalse();
  }

  @Test
  void startAndAwaitRunningStartsTheSandboxAndItsWaitInOneRequestThatReachesTheFirstWorkflowTask() throws Exception {
    CompletableFuture<dev.sandboxes.model.SandboxStatus> answer = CompletableFuture.supplyAsync(
        () -> sandboxes.startAndAwaitRunning(spec("together"), WAIT));
    platform.awaitCreated("together");
    platform.move("together", SandboxPhase.RUNNING, null, null);

    dev.sandboxes.model.SandboxStatus status = answer.get(30, TimeUnit.SECONDS);
    assertThat(status.name()).isEqualTo("together");
    assertThat(status.phase()).isEqualTo(SandboxPhase.RUNNING);
    List<io.temporal.api.history.v1.HistoryEvent> events = temporal.client()
        .fetchHistory(WorkflowIds.sandboxWorkflowId("together")).getEvents();
    long tasksBeforeAccepted = events.stream()
        .takeWhile(e -> e.getEventType() != io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
        .filter(e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).count();
    assertThat(tasksBeforeAccepted).as("the wait was accepted by the first workflow task").isEqualTo(1);
    assertThat(sandboxes.terminate("together", "done").phase()).isEqualTo(SandboxPhase.TERMINATED);

    assertThatThrownBy(() -> sandboxes.startAndAwaitRunning(spec("together"), WAIT))
        .as("a name used before, by a sandbox that has ended").isInstanceOf(dev.sandboxes.model.NameAlreadyUsedException.class);
    String running = running(spec("twice"));
    assertThatThrownBy(() -> sandboxes.startAndAwaitRunning(spec(running), WAIT))
        .as("the name of a running sandbox").isInstanceOf(dev.sandboxes.model.NameAlreadyUsedException.class);
    assertThat(sandboxes.describe(running).phase()).as("which is left alone").isEqualTo(SandboxPhase.RUNNING);
  }

  @Test
  void startAndAwaitRunningAnswersWithTheFinalStatusOfASandboxThatEndsBeforeItRuns() {
    platform.conflictOn("ends-first");
    dev.sandboxes.model.SandboxStatus status = sandboxes.startAndAwaitRunning(spec("ends-first"), WAIT);
    assertThat(status.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(status.reason()).isEqualTo("SandboxNameConflict");
  }

  @Test
  void aNameThatIsAnotherOwnersFailsTheSandboxAndTheObjectIsNeverTouched() {
    platform.conflictOn("taken");
    String name = sandboxes.start(spec("taken"));
    endsAs(name, SandboxPhase.FAILED, "SandboxNameConflict");
    assertThat(platform.calls()).containsExactly("create taken");
  }

  @Test
  void terminateWhileCreatingEndsTheSandboxAndDeletesWhatTheCreateMade() throws Exception {
    String name = sandboxes.start(spec("early"));
    platform.awaitCreated(name);
    var status = sandboxes.terminate(name, "not needed");
    assertThat(status.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(status.reason()).isEqualTo("TerminateRequested");
    assertThat(status.message()).isEqualTo("not needed");
    assertThat(platform.exists(name)).isFalse();
    assertThat(calls("captureAndDelete early")).isEqualTo(1);
  }

  @Test
  void aSandboxQueuedPastItsScheduleTimeoutFailsAndLeavesNothing() {
    platform.refuseForQuota(Integer.MAX_VALUE);
    String name = sandboxes.start(spec("stuck").toBuilder().scheduleTimeout(Duration.ofMinutes(20)).build());
    SandboxResult result = endsAs(name, SandboxPhase.FAILED, "ScheduleTimeout");
    assertThat(Duration.between(result.status().createdAt(), result.status().finishedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMinutes(20));
    assertThat(calls("create stuck")).isGreaterThan(1);
    // the last create's answer named where the sandbox would be: the cleanup makes sure of it
    assertThat(calls("captureAndDelete stuck")).isEqualTo(1);
  }

  @Test
  void aRunningSandboxPastItsTtlIsTerminatedAndDeleted() throws Exception {
    String name = running(spec("short").toBuilder().ttl(Duration.ofSeconds(2)).build());
    endsAs(name, SandboxPhase.TERMINATED, "TTLExpired");
  }

  @Test
  void cancellingTheWorkflowTerminatesTheSandboxAndDeletesItsObject() throws Exception {
    String name = running(spec("cancelled"));
    temporal.client().newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).cancel();
    endsAs(name, SandboxPhase.TERMINATED, "Cancelled");
  }

  @Test
  void aSandboxWhoseWorkflowIsTerminatedOutsideTheProjectIsTerminatedForTheClientWithoutAQuery() throws Exception {
    String name = running(spec("cut").toBuilder().tag("team", "a").build());
    sandboxes.exec(name, ExecRequest.of("true"));
    temporal.client().newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(name)).terminate("by hand");
    // nobody left to answer a query: every answer comes from how the workflow closed
    temporal.env().getWorkerFactory().shutdownNow();
    temporal.env().getWorkerFactory().awaitTermination(10, TimeUnit.SECONDS);

    SandboxStatus status = sandboxes.describe(name);
    assertThat(status.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(status.reason()).isEqualTo(SandboxReason.WORKFLOW_TERMINATED.wireName());
    assertThat(status.message()).contains("(by hand)").contains("reaper");
    assertThat(status.execCount()).as("what it recorded while it ran").isEqualTo(1);
    assertThat(status.startedAt()).isNotNull();
    assertThat(status.finishedAt()).isNotNull();
    assertThat(status.tags()).as("from its search attributes").isEqualTo(java.util.Map.of("team", "a"));
    SandboxResult result = sandboxes.result(name);
    assertThat(result.status()).isEqualTo(status);
    assertThat(result.logs().lines()).isEmpty();
    assertThat(sandboxes.awaitDone(name, Duration.ofSeconds(1))).contains(result);
    assertThat(sandboxes.terminate(name, null)).isEqualTo(status);
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(1))).isEqualTo(status);
    assertThat(catchThrowable(() -> sandboxes.exec(name, ExecRequest.of("true"))))
        .isInstanceOfSatisfying(SandboxNotRunningException.class, e -> assertThat(e.phase()).isEqualTo(SandboxPhase.TERMINATED));
    assertThat(catchThrowable(() -> sandboxes.logs(name, new LogRequest(null, null))))
        .isInstanceOfSatisfying(SandboxNotRunningException.class, e -> assertThat(e.getMessage())
            .isEqualTo("sandbox \"cut\" ended terminated (WorkflowTerminated) and no logs were captured: its workflow "
                + "was closed without running the code that keeps them"));
    var listed = sandboxes.list(SandboxFilter.all()).stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    assertThat(listed.phase()).isEqualTo(SandboxPhase.TERMINATED);
    assertThat(listed.status().reason()).isEqualTo(SandboxReason.WORKFLOW_TERMINATED.wireName());
    assertThat(sandboxes.list(SandboxFilter.unfinished())).extracting(r -> r.name()).doesNotContain(name);
    assertThat(sandboxes.list(new SandboxFilter(java.util.Set.of(SandboxPhase.TERMINATED), null, null, null, false)))
        .extracting(r -> r.name()).contains(name);
    assertThat(platform.exists(name)).as("no cleanup ran: left to the reaper").isTrue();
  }

  @Test
  void anObjectThatVanishesEndsTheSandboxAsLost() throws Exception {
    String name = running(spec("gone"));
    platform.vanish(name);
    endsAs(name, SandboxPhase.FAILED, "SandboxLost");
  }

  @Test
  void execRunsOnARunningSandboxAndIsRefusedBeforeItRunsNamingThePhase() throws Exception {
    String name = running(spec("serves"));
    assertThat(sandboxes.exec(name, ExecRequest.of("echo", "hi")).stdout()).isEqualTo("echo hi\n");
    assertThat(sandboxes.describe(name).execCount()).isEqualTo(1);
    sandboxes.terminate(name, null);

    platform.refuseForQuota(Integer.MAX_VALUE); // queued from its start: no race with a phase change
    String early = sandboxes.start(spec("not-yet"));
    assertThatThrownBy(() -> sandboxes.exec(early, ExecRequest.of("true")))
        .isInstanceOfSatisfying(SandboxException.class, e -> {
          assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING);
          assertThat(e.getMessage()).isEqualTo("sandbox \"not-yet\" is queued; exec needs a running sandbox");
        });
    assertThat(platform.calls()).doesNotContain("exec not-yet");
    sandboxes.terminate(early, null);
  }

  @Test
  void anExecThatArrivesWithTheStartIsRefusedNamingTheSandboxAndItsPhase() throws Exception {
    // No worker polls yet: the start and the exec reach the sandbox's first workflow task
    // together, where the SDK may run the update's validator before the workflow method.
    FakeSandboxActivities quiet = new FakeSandboxActivities().refuseForQuota(Integer.MAX_VALUE);
    try (TestWorkflowEnvironment env = InMemory.unstarted(List.of(), quiet)) {
      SandboxClient client = new SandboxClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
      String name = client.start(spec("first-task"));
      CompletableFuture<Throwable> exec = CompletableFuture.supplyAsync(
          () -> catchThrowable(() -> client.exec(name, ExecRequest.of("true"))));
      // the server offers no view of an update waiting for its first task: give the call a moment
      // to arrive (were it later, the test would take the ordinary path and still pass)
      Thread.sleep(1000);
      env.start();
      assertThat(exec.get(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(SandboxException.class, e -> {
        assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING);
        assertThat(e.getMessage()).isEqualTo("sandbox \"first-task\" is queued; exec needs a running sandbox");
      });
      assertThat(quiet.calls()).doesNotContain("exec first-task");
      client.terminate(name, null);
    }
  }

  @Test
  void anExecThatArrivesWithAContinuedRunsStartSeesTheCarriedPhase() throws Exception {
    // the window after continue-as-new: the new run's first task carries the start and the
    // exec, and the SDK may validate the exec before the workflow method runs; the input is
    // read when the instance is built, so the exec sees "running", not the initial "queued"
    FakeSandboxActivities shared = new FakeSandboxActivities();
    SandboxStatus carried;
    try (TestWorkflowEnvironment first = InMemory.unstarted(List.of(), shared)) {
      first.start();
      SandboxClient client = new SandboxClient(first.getWorkflowClient(), TaskQueues.DEFAULT);
      String name = client.start(spec("carried"));
      shared.awaitCreated(name);
      shared.move(name, SandboxPhase.RUNNING, null, null);
      carried = client.awaitRunning(name, WAIT);
      assertThat(carried.phase()).isEqualTo(SandboxPhase.RUNNING);
    }
    try (TestWorkflowEnvironment env = InMemory.unstarted(List.of(), shared)) {
      SandboxWorkflow next = env.getWorkflowClient().newWorkflowStub(SandboxWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(WorkflowIds.sandboxWorkflowId("carried")).setTaskQueue(TaskQueues.DEFAULT).build());
      WorkflowClient.start(next::run, SandboxRequest.of(spec("carried")).continued(carried));
      SandboxClient client = new SandboxClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
      CompletableFuture<ExecResult> exec = CompletableFuture.supplyAsync(() -> client.exec("carried", ExecRequest.of("echo", "on")));
      Thread.sleep(1000); // as above: let the call arrive before the first workflow task
      env.start();
      assertThat(exec.get(20, TimeUnit.SECONDS).stdout()).isEqualTo("echo on\n");
      client.terminate("carried", null);
    }
  }
}
