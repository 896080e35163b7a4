package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.batch.BatchSpec;
import dev.sandboxes.batch.BatchWorkflow;
import dev.sandboxes.batch.ItemResult;
import dev.sandboxes.batch.RetryPolicy;
import dev.sandboxes.client.BatchClient;
import dev.sandboxes.client.PoolClient;
import dev.sandboxes.client.ReaperClient;
import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.reaper.ReapRequest;
import dev.sandboxes.reaper.ReaperWorkflow;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Records a release's set of the history corpus that {@code HistoryCorpusTest} replays: one
 * history per path that matters, each a real run on a real Temporal server (the temporal CLI's
 * dev server) by the production workflows and activities, registered by the production plugin.
 * The runtime under the activities is the scripted one the workflow tests use, so that paths
 * a cluster cannot produce on demand (quota refusals, a volume pending, a name held by another
 * owner, a sandbox stuck creating) are recorded every time the same way; the workflow's history
 * does not depend on what is behind its activities, only on what they return.
 *
 * <p>Not a test of the build (its name matches no surefire pattern): run it through
 * {@code deploy/record-histories.sh <release>}, which starts the server and refuses to
 * overwrite a release that is already recorded.
 */
class HistoryRecorder {
  static final String QUEUE = "history-recorder";

  ScriptedRuntime runtime;
  WorkflowClient client;
  SandboxClient sandboxes;
  VolumeClient volumes;
  BatchClient batches;
  Path out;
  final List<String> recorded = new ArrayList<>();

  @Test
  void record() throws Exception {
    String address = required("sandboxes.history.address");
    out = Path.of(required("sandboxes.history.out"));
    if (Files.exists(out)) {
      fail(out + " exists: a recorded release is never rewritten; record a new release instead");
    }
    Files.createDirectories(out);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    registerSearchAttributes(address);
    runtime = new ScriptedRuntime().runToCompletion(HistoryRecorder::exitCode);
    client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().build());
    WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setPlugins(SandboxPlugin.forRuntime(runtime)).build());
    factory.newWorker(QUEUE).registerWorkflowImplementationTypes(OwnerWorkflowImpl.class,
        AwaitingOwnerWorkflowImpl.class);
    factory.start();
    sandboxes = new SandboxClient(client, QUEUE);
    volumes = new VolumeClient(client, QUEUE);
    batches = new BatchClient(client, QUEUE);
    try {
      sandboxPaths();
      volumePaths();
      batchPaths();
      reaperPass();
      poolPaths();
      execOutputPaths();
      closedOutsidePaths();
    } finally {
      factory.shutdownNow();
      stubs.shutdownNow();
    }
    System.out.println("recorded " + recorded.size() + " histories in " + out + ": " + recorded);
  }

  // --- sandbox ------------------------------------------------------------------------------

  void sandboxPaths() {
    String idle = sandboxes.start(idle("rec-idle").build());
    sandboxes.awaitRunning(idle, Duration.ofSeconds(30));
    assertThat(sandboxes.exec(idle, ExecRequest.of("echo", "hi")).exitCode()).isZero();
    assertThat(sandboxes.exec(idle, ExecRequest.of("false", "x")).exitCode()).isNotZero();
    sandboxes.logs(idle, LogRequest.lastLines(10));
    sandboxes.terminate(idle, "recorded");
    saveSandbox("sandbox-idle-exec-logs-terminate", idle);

    saveSandbox("sandbox-command-succeeded",
        finished(sandboxes.start(command("rec-ok", 0)), SandboxPhase.SUCCEEDED));
    saveSandbox("sandbox-command-failed",
        finished(sandboxes.start(command("rec-fail", 3)), SandboxPhase.FAILED));
    saveSandbox("sandbox-ttl",
        finished(sandboxes.start(idle("rec-ttl").ttl(Duration.ofSeconds(3)).build()), SandboxPhase.TERMINATED));

    String cancelled = sandboxes.start(idle("rec-cancel").build());
    sandboxes.awaitRunning(cancelled, Duration.ofSeconds(30));
    client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(cancelled)).cancel();
    saveSandbox("sandbox-cancel", finished(cancelled, SandboxPhase.TERMINATED));

    runtime.holdCreates();
    String creating = sandboxes.start(idle("rec-cancel-creating").build());
    await(() -> runtime.calls().contains("create " + creating), "the create to reach the runtime");
    client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(creating)).cancel();
    await(() -> client.fetchHistory(WorkflowIds.sandboxWorkflowId(creating)).getEvents().stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED),
        "the create's cancellation");
    runtime.releaseCreates();
    saveSandbox("sandbox-cancel-while-creating", finished(creating, SandboxPhase.TERMINATED));

    runtime.rejectForQuota(1);
    String quota = sandboxes.start(idle("rec-quota").build());
    assertThat(sandboxes.awaitRunning(quota, Duration.ofSeconds(60)).phase()).isEqualTo(SandboxPhase.RUNNING);
    sandboxes.terminate(quota, "recorded");
    saveSandbox("sandbox-quota-wait", quota);

    runtime.rejectForQuota(Integer.MAX_VALUE);
    String unscheduled = sandboxes.start(idle("rec-schedule-timeout").scheduleTimeout(Duration.ofSeconds(3)).build());
    finished(unscheduled, SandboxPhase.FAILED);
    runtime.rejectForQuota(0);
    saveSandbox("sandbox-schedule-timeout", unscheduled);

    runtime.startIn(SandboxPhase.CREATING, "ContainerCreating", false);
    String stuck = sandboxes.start(idle("rec-startup-timeout").startupTimeout(Duration.ofSeconds(3)).build());
    finished(stuck, SandboxPhase.FAILED);
    runtime.startIn(SandboxPhase.CREATING, null, true);
    saveSandbox("sandbox-startup-timeout", stuck);

    runtime.volumesStartPending(true);
    volumes.create("rec-slow", VolumeSpec.defaults());
    String patient = sandboxes.start(idle("rec-volume-pending").volume("/data", "rec-slow").build());
    await(() -> "VolumePending".equals(sandboxes.describe(patient).reason()), "the sandbox to wait for its volume");
    runtime.volumesStartPending(false);
    runtime.makeVolumeReady("rec-slow");
    sandboxes.awaitRunning(patient, Duration.ofSeconds(30));
    sandboxes.terminate(patient, "recorded");
    saveSandbox("sandbox-volume-pending", patient);
    volumes.delete("rec-slow");
    save("volume-pending-then-ready", WorkflowIds.volumeWorkflowId("rec-slow"));

    runtime.create(idle("rec-conflict").build(), new SandboxOwner("sandbox/someone-else", "another-run"));
    saveSandbox("sandbox-name-conflict", finished(sandboxes.start(idle("rec-conflict").build()), SandboxPhase.FAILED));
    runtime.delete("rec-conflict");

    continueAsNewWithUpdatesInFlight();

    OwnerWorkflow owner = client.newWorkflowStub(OwnerWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("owner/rec-author").setTaskQueue(QUEUE).build());
    assertThat(owner.run("rec-author-child", false)).containsExactly("hello\n", "terminated");
    save("author-workflow-exec-and-close", "owner/rec-author");
    saveSandbox("sandbox-child-of-author-workflow", "rec-author-child");
  }

  /** Three updates per run; execs sent side by side, so some arrive while a run hands over. */
  void continueAsNewWithUpdatesInFlight() {
    SandboxSpec spec = idle("rec-continued").build();
    WorkflowStub stub = client.newUntypedWorkflowStub("Sandbox", WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.sandboxWorkflowId("rec-continued")).setTaskQueue(QUEUE)
        .setTypedSearchAttributes(SandboxPresentation.initialSearchAttributes(spec)).build());
    WorkflowExecution first = stub.start(new SandboxRequest(spec, false, null, 3));
    sandboxes.awaitRunning("rec-continued", Duration.ofSeconds(30));
    List<CompletableFuture<Void>> execs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      execs.add(CompletableFuture.runAsync(() -> await(() -> {
        try {
          return sandboxes.exec("rec-continued", ExecRequest.of("echo", "n" + n)).exitCode() == 0;
        } catch (SandboxException e) {
          return false; // refused while the run hands over; sent again
        }
      }, "exec " + n)));
    }
    execs.forEach(CompletableFuture::join);
    sandboxes.terminate("rec-continued", "recorded");
    List<String> runs = runs(WorkflowIds.sandboxWorkflowId("rec-continued"), first.getRunId());
    assertThat(runs).as("runs of the continued sandbox").hasSizeGreaterThanOrEqualTo(2);
    for (int i = 0; i < runs.size(); i++) {
      save("sandbox-continue-as-new-run" + (i + 1), WorkflowIds.sandboxWorkflowId("rec-continued"), runs.get(i));
    }
  }

  // --- volume -------------------------------------------------------------------------------

  void volumePaths() {
    volumes.create("rec-files", VolumeSpec.defaults());
    volumes.awaitReady("rec-files", Duration.ofSeconds(30));
    volumes.writeFile("rec-files", "/in/a.txt", "alpha".getBytes());
    volumes.listFiles("rec-files", "/in");
    volumes.readFile("rec-files", "/in/a.txt", 0, 1024);
    volumes.moveFile("rec-files", "/in/a.txt", "/in/b.txt");
    String user = sandboxes.start(idle("rec-volume-user").volume("/data", "rec-files").build());
    sandboxes.awaitRunning(user, Duration.ofSeconds(30));
    assertThatThrownBy(() -> volumes.delete("rec-files")).isInstanceOf(SandboxException.class)
        .hasMessageContaining(user);
    sandboxes.terminate(user, "recorded");
    volumes.delete("rec-files");
    save("volume-files-refused-delete-delete", WorkflowIds.volumeWorkflowId("rec-files"));
    saveSandbox("sandbox-with-volume", user);
  }

  // --- batch --------------------------------------------------------------------------------

  void batchPaths() {
    // odd items fail their first attempt and succeed on the retry (a new sandbox, -r2)
    String retried = batches.start(BatchSpec.ofCount("rec-retry", template("fail-odd-first"), 4, 4)
        .withRetry(new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), null)));
    assertThat(batches.awaitDone(retried, Duration.ofMinutes(2))).isPresent();
    saveBatch("batch-retries", retried, 1);
    saveSandbox("sandbox-batch-item-retried", "rec-retry-1-r2");

    String failFast = batches.start(BatchSpec.ofCount("rec-fail-fast", template("1"), 6, 2).withFailFast(true));
    assertThat(batches.awaitDone(failFast, Duration.ofMinutes(2))).isPresent();
    saveBatch("batch-fail-fast", failFast, 1);

    String cancelled = batches.start(BatchSpec.ofCount("rec-cancel", template("idle"), 3, 3));
    await(() -> batches.progress(cancelled).running() == 3, "the batch's items to run");
    batches.cancel(cancelled);
    await(() -> isClosed(WorkflowIds.batchWorkflowId(cancelled)), "the cancelled batch to close");
    await(() -> isClosed(WorkflowIds.batchChunkWorkflowId(cancelled, 0)), "the cancelled chunk to close");
    await(() -> isClosed(WorkflowIds.sandboxWorkflowId(cancelled + "-0")), "a cancelled item to close");
    saveBatch("batch-cancel", cancelled, 1);
    saveSandbox("sandbox-batch-item-cancelled", cancelled + "-0");

    // chunks of 40 items (400 attempts per chunk / 10 attempts), one chunk per run: three runs
    BatchSpec continued = BatchSpec.ofCount("rec-batch-continued", template("0"), 100, 20)
        .withRetry(new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(10), null));
    BatchWorkflow stub = client.newWorkflowStub(BatchWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(QUEUE).setWorkflowId(WorkflowIds.batchWorkflowId("rec-batch-continued"))
        .setTypedSearchAttributes(dev.sandboxes.batch.BatchPresentation.initialSearchAttributes()).build());
    WorkflowExecution first = WorkflowClient.start(stub::run, new BatchRequest(continued, null, 0, 1));
    assertThat(batches.awaitDone("rec-batch-continued", Duration.ofMinutes(2))).isPresent();
    List<String> runs = runs(WorkflowIds.batchWorkflowId("rec-batch-continued"), first.getRunId());
    assertThat(runs).as("runs of the continued batch").hasSize(3);
    for (int i = 0; i < runs.size(); i++) {
      save("batch-continue-as-new-run" + (i + 1), WorkflowIds.batchWorkflowId("rec-batch-continued"), runs.get(i));
    }
  }

  void saveBatch(String file, String batch, int chunks) {
    save(file, WorkflowIds.batchWorkflowId(batch));
    for (int i = 0; i < chunks; i++) {
      save(file + "-chunk" + i, WorkflowIds.batchChunkWorkflowId(batch, i));
    }
  }

  // --- reaper -------------------------------------------------------------------------------

  void reaperPass() {
    // an orphan: a sandbox object whose owner workflow has closed (a leak the reaper removes)
    String ownerId = WorkflowIds.sandboxWorkflowId("rec-ok");
    runtime.create(idle("rec-orphan").build(),
        new SandboxOwner(ownerId, client.fetchHistory(ownerId).getWorkflowExecution().getRunId()));
    new ReaperClient(client).reapNow(QUEUE, false, Duration.ZERO);
    String id = latestReaperPass();
    save("reaper-pass", id);
    assertThat(runtime.exists("rec-orphan")).as("the reaper removed the orphan").isFalse();
  }

  String latestReaperPass() {
    var response = client.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(
        io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setQuery("WorkflowType = 'SandboxReaper'").build());
    assertThat(response.getExecutionsList()).as("reaper passes").isNotEmpty();
    return response.getExecutions(0).getExecution().getWorkflowId();
  }

  // --- warm pools -------------------------------------------------------------------------

  void poolPaths() {
    // "rec-pool-short" fills 1 of 2 at a time: its keeper waits its refill window (a minute) and
    // fills again; both keepers end by draining once their pool leaves the configuration
    runtime.pool("rec-pool", 2, 2).pool("rec-pool-short", 2, 1);
    PoolClient pools = new PoolClient(client);
    assertThat(pools.ensureKeeper("rec-pool", QUEUE)).isTrue();
    assertThat(pools.ensureKeeper("rec-pool-short", QUEUE)).isTrue();
    String keeper = WorkflowIds.poolWorkflowId("rec-pool");
    await(() -> pools.list().stream().anyMatch(p -> p.name().equals("rec-pool") && p.ready() == 2),
        "the pool to fill");
    runtime.claimFromPool("rec-pool");
    await(() -> activityCount(keeper, "PoolFill") == 2, "the pool's refill after a claim");
    runtime.removePool("rec-pool");
    save("pool-fill-claim-refill-drain", keeper);
    await(() -> activityCount(WorkflowIds.poolWorkflowId("rec-pool-short"), "PoolFill") == 2,
        "the short pool's second fill, a refill window later");
    runtime.removePool("rec-pool-short");
    save("pool-short-refill-window-drain", WorkflowIds.poolWorkflowId("rec-pool-short"));
    assertThat(runtime.calls()).contains("drain rec-pool", "drain rec-pool-short");
  }

  long activityCount(String workflowId, String activityType) {
    return client.fetchHistory(workflowId).getEvents().stream()
        .filter(e -> e.hasActivityTaskScheduledEventAttributes()
            && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(activityType))
        .count();
  }

  // --- exec output --------------------------------------------------------------------------

  void execOutputPaths() {
    runtime.reattaching(true);
    String name = sandboxes.start(idle("rec-streamed").build());
    sandboxes.awaitRunning(name, Duration.ofSeconds(30));
    List<dev.sandboxes.model.OutputPiece> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThat(sandboxes.exec(name, ExecRequest.of("echo", "streamed"), seen::add).exitCode()).isZero();
    assertThat(seen).isNotEmpty();
    runtime.reattaching(false);
    // a sandbox that keeps no exec output answers a read with "unavailable"
    String plain = sandboxes.start(idle("rec-unstreamed").build());
    sandboxes.awaitRunning(plain, Duration.ofSeconds(30));
    assertThat(sandboxes.exec(plain, ExecRequest.of("echo", "plain"), piece -> {}).exitCode()).isZero();
    sandboxes.terminate(name, "recorded");
    sandboxes.terminate(plain, "recorded");
    saveSandbox("sandbox-streamed-exec", name);
    save("exec-output-read", execOutputReads(name).get(0));
    save("exec-output-unavailable", execOutputReads(plain).get(0));
  }

  // --- ended or refused by Temporal ----------------------------------------------------------

  /**
   * Owners of sandboxes that Temporal itself ended while they ran (an operator's terminate of an
   * author workflow's child and of a batch item's sandbox), and a reaper pass and an exec-output
   * read started past the client with input that breaks a rule.
   */
  void closedOutsidePaths() {
    // The terminated sandboxes' own histories are not kept: the SDK's replayer cannot replay a
    // history whose last event is a termination that came after the last workflow task's
    // commands (temporalio/sdk-java#1457), and no worker ever replays one (no task follows it).
    // What reacts to a termination, and is kept, is the workflow that owned the sandbox.
    AwaitingOwnerWorkflow owner = client.newWorkflowStub(AwaitingOwnerWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("owner/rec-awaiting").setTaskQueue(QUEUE).build());
    WorkflowClient.start(owner::run, "rec-awaited-child");
    await(() -> isStarted(WorkflowIds.sandboxWorkflowId("rec-awaited-child")), "the owner's child to start");
    sandboxes.awaitRunning("rec-awaited-child", Duration.ofSeconds(30));
    terminateOutside("rec-awaited-child");
    assertThat(WorkflowStub.fromTyped(owner).getResult(List.class))
        .containsExactly("terminated", "WorkflowTerminated");
    save("author-workflow-child-terminated-outside", "owner/rec-awaiting");

    String batch = batches.start(BatchSpec.ofCount("rec-item-outside", template("idle"), 2, 2));
    await(() -> batches.progress(batch).running() == 2, "the batch's items to run");
    terminateOutside(batch + "-0");
    sandboxes.terminate(batch + "-1", "recorded");
    assertThat(batches.awaitDone(batch, Duration.ofMinutes(2))).isPresent();
    assertThat(batches.results(batch)).extracting(ItemResult::reason)
        .containsExactly("WorkflowTerminated", "TerminateRequested");
    saveBatch("batch-item-terminated-outside", batch, 1);

    ReaperWorkflow reaper = client.newWorkflowStub(ReaperWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId("reaper/rec-refused").setTaskQueue(QUEUE).build());
    assertThatThrownBy(() -> reaper.run(new ReapRequest(true, Duration.ofDays(-1))))
        .isInstanceOf(WorkflowFailedException.class);
    save("reaper-refused-bad-input", "reaper/rec-refused");

    String readId = WorkflowIds.EXEC_OUTPUT_ID_PREFIX + "rec-refused/main/-7";
    ExecOutputWorkflow read = client.newWorkflowStub(ExecOutputWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(readId).setTaskQueue(QUEUE).build());
    assertThatThrownBy(() -> read.read("rec-refused", new ExecOutputRequest("main", -7, null)))
        .isInstanceOf(WorkflowFailedException.class);
    save("exec-output-refused-bad-input", readId);
  }

  boolean isStarted(String workflowId) {
    try {
      client.newUntypedWorkflowStub(workflowId).describe();
      return true;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** Ends a sandbox's workflow as an operator does with `temporal workflow terminate`. */
  void terminateOutside(String sandbox) {
    client.newUntypedWorkflowStub(WorkflowIds.sandboxWorkflowId(sandbox)).terminate("an operator's terminate");
  }

  /** The IDs of the exec-output reads of one sandbox, from visibility. */
  List<String> execOutputReads(String sandbox) {
    String stem = WorkflowIds.EXEC_OUTPUT_ID_PREFIX + sandbox + "/";
    List<String> ids = new ArrayList<>();
    await(() -> {
      ids.clear();
      client.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(
          io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setQuery("WorkflowType = 'SandboxExecOutput'").build())
          .getExecutionsList().stream().map(e -> e.getExecution().getWorkflowId())
          .filter(id -> id.startsWith(stem)).sorted().forEach(ids::add);
      return !ids.isEmpty();
    }, "the exec-output reads of " + sandbox + " in visibility");
    return ids;
  }

  // --- helpers ------------------------------------------------------------------------------

  /** Exit codes of the scripted sandboxes, from the spec's {@code EXIT} (absent or idle: runs until deleted). */
  static int exitCode(SandboxSpec spec) {
    String exit = spec.env().get("EXIT");
    if (exit == null || exit.equals("idle")) {
      return -1;
    }
    if (exit.equals("fail-odd-first")) {
      boolean retry = spec.name().matches(".*-r\\d+");
      return !retry && Integer.parseInt(spec.env().get(BatchSpec.INDEX_ENV)) % 2 == 1 ? 1 : 0;
    }
    return Integer.parseInt(exit);
  }

  static SandboxSpec.Builder idle(String name) {
    return SandboxSpec.builder("busybox:1.36").name(name).tag("recorded", "yes");
  }

  static SandboxSpec command(String name, int exit) {
    return idle(name).command("sh", "-c", "exit " + exit).env("EXIT", String.valueOf(exit)).build();
  }

  static SandboxSpec template(String exit) {
    return SandboxSpec.builder("busybox:1.36").command("sh", "-c", "echo $SANDBOX_INDEX").env("EXIT", exit).build();
  }

  String finished(String name, SandboxPhase expected) {
    assertThat(sandboxes.awaitDone(name, Duration.ofMinutes(1))).as("sandbox " + name + " ended")
        .hasValueSatisfying(r -> assertThat(r.status().phase()).isEqualTo(expected));
    return name;
  }

  void saveSandbox(String file, String name) {
    save(file, WorkflowIds.sandboxWorkflowId(name));
  }

  void save(String file, String workflowId) {
    await(() -> isClosed(workflowId), workflowId + " to close");
    save(file, workflowId, null);
  }

  void save(String file, String workflowId, String runId) {
    var history = runId == null ? client.fetchHistory(workflowId) : client.fetchHistory(workflowId, runId);
    HistoryEvent last = history.getLastEvent();
    assertThat(closing(last.getEventType())).as(file + ": the run has closed").isTrue();
    try {
      Files.writeString(out.resolve(file + ".json"), history.toJson(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    recorded.add(file);
  }

  /** Run IDs of a workflow's chain of runs, from the first, following continue-as-new. */
  List<String> runs(String workflowId, String firstRunId) {
    List<String> runs = new ArrayList<>();
    String run = firstRunId;
    while (run != null) {
      runs.add(run);
      String current = run;
      await(() -> closing(client.fetchHistory(workflowId, current).getLastEvent().getEventType()),
          workflowId + " run " + current + " to close");
      HistoryEvent last = client.fetchHistory(workflowId, run).getLastEvent();
      run = last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
          ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId() : null;
    }
    return runs;
  }

  boolean isClosed(String workflowId) {
    try {
      return closing(client.fetchHistory(workflowId).getLastEvent().getEventType());
    } catch (RuntimeException e) {
      return false; // not started yet
    }
  }

  static boolean closing(EventType type) {
    return switch (type) {
      case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
          EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
          EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW -> true;
      default -> false;
    };
  }

  /** A recording tool waits on a real server for a condition a client cannot watch; bounded. */
  static void await(BooleanSupplier condition, String what) {
    Awaitility.await(what).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
        .until(condition::getAsBoolean);
  }

  static void registerSearchAttributes(String address) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
    try {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace("default").putAllSearchAttributes(SearchAttributeKeys.DEFINITIONS).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    } finally {
      operator.shutdownNow();
    }
  }

  static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      fail("-D" + property + " is required; run deploy/record-histories.sh <release>");
    }
    return value;
  }
}
