package dev.sandboxes.workflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.workflow.VolumeRequest;
import dev.sandboxes.workflow.VolumeWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The volume workflow alone, against the activities in memory ({@link FakeVolumeActivities}):
 * its phases, its refusals, what a delete or a cancellation leaves, and continue-as-new, on the
 * Temporal test server. The same workflow with the real activities over a scripted runtime (and
 * the file paths' rules) is tested in the activities module ({@code VolumeWorkflowTest}), and on
 * a real cluster by the e2e suite.
 */
class VolumeWorkflowImplTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  final FakeVolumeActivities storage = new FakeVolumeActivities();
  @RegisterExtension final InMemory temporal = new InMemory(List.of(), storage);
  WorkflowClient client;
  VolumeClient volumes;

  @BeforeEach
  void clients() {
    client = temporal.client();
    volumes = new VolumeClient(client, TaskQueues.DEFAULT);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  VolumeStatus ready(String name) {
    volumes.create(name, VolumeSpec.defaults());
    VolumeStatus status = volumes.awaitReady(name, WAIT);
    assertThat(status.phase()).isEqualTo(VolumeState.READY);
    return status;
  }

  /** Starts the workflow of volume ID {@code id} without the client (which would refuse a bad request). */
  void startDirectly(String id, VolumeRequest request) {
    VolumeWorkflow direct = client.newWorkflowStub(VolumeWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(WorkflowIds.volumeWorkflowId(id)).setTaskQueue(TaskQueues.DEFAULT).build());
    WorkflowClient.start(direct::run, request);
  }

  /** The failure the workflow of volume ID {@code id} ended with. */
  ApplicationFailure failureOf(String id) {
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class,
        () -> client.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId(id)).getResult(VolumeStatus.class));
    assertThat(failed).as("the workflow's failure").isNotNull();
    return (ApplicationFailure) failed.getCause();
  }

  String runId(String volume) {
    return client.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId(volume)).describe().getExecution().getRunId();
  }

  long calls(String call) {
    return storage.calls().stream().filter(call::equals).count();
  }

  @Test
  void aReadyVolumeServesFilesAndItsDeleteFreesTheName() {
    VolumeStatus status = ready("data");
    assertThat(status.readyAt()).isNotNull();
    assertThat(storage.ownerOf("data").workflowId()).isEqualTo(WorkflowIds.volumeWorkflowId("data"));

    volumes.writeFile("data", "/a.txt", bytes("hello"));
    volumes.moveFile("data", "/a.txt", "/b.txt");
    assertThat(volumes.listFiles("data", "/")).extracting(FileEntry::path).containsExactly("/b.txt");
    assertThat(new String(volumes.readFile("data", "/b.txt", 1, 3).data(), StandardCharsets.UTF_8)).isEqualTo("ell");

    VolumeStatus deleted = volumes.delete("data");
    assertThat(deleted.phase()).isEqualTo(VolumeStatus.DELETED);
    assertThat(deleted.deletedAt()).isNotNull();
    assertThat(storage.exists("data")).isFalse();
    assertThat(client.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId("data")).getResult(VolumeStatus.class)
        .phase()).as("the workflow's result").isEqualTo(VolumeStatus.DELETED);
    assertThat(ready("data").phase()).as("the name, once free again").isEqualTo(VolumeState.READY);
  }

  @Test
  void aPendingVolumeRefusesFileOperationsNamingItsPhaseUntilItIsReady() {
    storage.startPending();
    assertThat(volumes.create("slow", VolumeSpec.defaults()).phase()).isEqualTo(VolumeState.PENDING);
    assertThatThrownBy(() -> volumes.writeFile("slow", "/x", bytes("x")))
        .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING))
        .hasMessageContaining("volume \"slow\" is pending");
    assertThat(storage.calls()).doesNotContain("writeFile slow");

    storage.makeReady("slow");
    assertThat(volumes.awaitReady("slow", WAIT).phase()).isEqualTo(VolumeState.READY);
    assertThat(volumes.writeFile("slow", "/x", bytes("x")).size()).isEqualTo(1);
  }

  @Test
  void aDeleteRefusedWhileMountedFailsOnlyThatCallAndTheVolumeStaysReady() {
    ready("work");
    volumes.writeFile("work", "/kept", bytes("kept"));
    storage.attach("work", "writer");
    assertThatThrownBy(() -> volumes.delete("work"))
        .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.type()).isEqualTo(SandboxErrors.VOLUME_IN_USE))
        .hasMessageContaining("writer");
    assertThat(volumes.get("work").phase()).isEqualTo(VolumeState.READY);
    assertThat(volumes.readFile("work", "/kept", 0, 10).data()).isEqualTo(bytes("kept"));

    storage.detach("work", "writer");
    assertThat(volumes.delete("work").phase()).isEqualTo(VolumeStatus.DELETED);
  }

  @Test
  void aCreateAndADeleteWhoseAnswersWereLostAreRetriedAndLeaveNothing() {
    storage.loseAnswers(1);
    ready("retried");
    assertThat(calls("create retried")).as("the create, then its retry adopting what it made").isEqualTo(2);
    storage.loseAnswers(1);
    assertThat(volumes.delete("retried").phase()).isEqualTo(VolumeStatus.DELETED);
    assertThat(calls("delete retried")).isEqualTo(2);
    assertThat(storage.exists("retried")).isFalse();
  }

  @Test
  void anotherOwnersStorageUnderTheNameFailsTheWorkflowAndIsNeverTouched() {
    storage.ownedElsewhere("taken");
    startDirectly("taken", VolumeRequest.of("taken", VolumeSpec.defaults()));
    assertThat(failureOf("taken").getType()).isEqualTo(SandboxErrors.VOLUME_EXISTS);
    assertThat(storage.calls()).containsExactly("create taken");
    assertThat(storage.ownerOf("taken").firstRunId()).isEqualTo("an-earlier-run");
  }

  @Test
  void aVolumeWhoseNameDoesNotMatchItsWorkflowIdFailsAsAnInvalidSpecAndCreatesNothing() {
    startDirectly("one", VolumeRequest.of("other", VolumeSpec.defaults()));
    ApplicationFailure failure = failureOf("one");
    assertThat(failure.getType()).isEqualTo(SandboxErrors.INVALID_SPEC);
    assertThat(failure.getOriginalMessage()).contains("name: must match the workflow ID volume/other");
    assertThat(storage.calls()).isEmpty();
  }

  @Test
  void cancellingTheWorkflowDeletesTheStorage() {
    ready("temp");
    var stub = client.newUntypedWorkflowStub(WorkflowIds.volumeWorkflowId("temp"));
    stub.cancel();
    assertThatThrownBy(() -> stub.getResult(VolumeStatus.class))
        .isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
    assertThat(storage.exists("temp")).isFalse();
    assertThatThrownBy(() -> volumes.get("temp")).isInstanceOf(SandboxNotFoundException.class);
  }

  @Test
  void aVolumePastItsUpdatesPerRunContinuesAsNewKeepingItsStatusAndFiles() {
    startDirectly("long", new VolumeRequest("long", VolumeSpec.defaults(), null, 2));
    VolumeStatus before = volumes.awaitReady("long", WAIT);
    String firstRun = runId("long");
    for (int i = 0; i < 3; i++) {
      volumes.writeFile("long", "/f" + i, bytes("v" + i));
    }
    VolumeStatus after = volumes.get("long");
    assertThat(runId("long")).as("the run after two updates").isNotEqualTo(firstRun);
    assertThat(after.phase()).isEqualTo(VolumeState.READY);
    assertThat(after.createdAt()).isEqualTo(before.createdAt());
    assertThat(after.readyAt()).isEqualTo(before.readyAt());
    assertThat(volumes.listFiles("long", "/")).extracting(FileEntry::path).containsExactly("/f0", "/f1", "/f2");
    assertThat(calls("create long")).as("creates: the first run's only").isEqualTo(1);
  }

  @Test
  void aFileCallThatArrivesWithAContinuedRunsStartSeesTheCarriedPhase() throws Exception {
    // the window after continue-as-new: the new run's first task carries the start and the
    // write, and the SDK may validate the write before the workflow method runs; the input is
    // read first (@WorkflowInit), so the write sees "ready", not the initial "pending"
    FakeVolumeActivities shared = new FakeVolumeActivities();
    VolumeStatus carried;
    try (TestWorkflowEnvironment first = InMemory.unstarted(List.of(), shared)) {
      first.start();
      VolumeClient firstClient = new VolumeClient(first.getWorkflowClient(), TaskQueues.DEFAULT);
      firstClient.create("carried", VolumeSpec.defaults());
      carried = firstClient.awaitReady("carried", WAIT);
    }
    try (TestWorkflowEnvironment env = InMemory.unstarted(List.of(), shared)) {
      VolumeWorkflow next = env.getWorkflowClient().newWorkflowStub(VolumeWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(WorkflowIds.volumeWorkflowId("carried")).setTaskQueue(TaskQueues.DEFAULT).build());
      WorkflowClient.start(next::run, VolumeRequest.of("carried", VolumeSpec.defaults()).continued(carried));
      VolumeClient client = new VolumeClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
      CompletableFuture<FileEntry> write = CompletableFuture.supplyAsync(() -> client.writeFile("carried", "/x", bytes("x")));
      Thread.sleep(1000); // as below: let the call arrive before the first workflow task
      env.start();
      assertThat(write.get(20, TimeUnit.SECONDS).path()).isEqualTo("/x");
    }
  }

  @Test
  void aFileCallThatArrivesWithTheStartIsRefusedNamingTheVolumeAndItsPhase() throws Exception {
    // No worker polls yet: the start and the write reach the volume's first workflow task
    // together, where the SDK may run the update's validator before the workflow method.
    try (TestWorkflowEnvironment env = InMemory.unstarted(List.of(), new FakeVolumeActivities())) {
      VolumeWorkflow early = env.getWorkflowClient().newWorkflowStub(VolumeWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(WorkflowIds.volumeWorkflowId("early")).setTaskQueue(TaskQueues.DEFAULT).build());
      WorkflowClient.start(early::run, VolumeRequest.of("early", VolumeSpec.defaults()));
      VolumeClient client = new VolumeClient(env.getWorkflowClient(), TaskQueues.DEFAULT);
      CompletableFuture<Throwable> write = CompletableFuture.supplyAsync(
          () -> catchThrowable(() -> client.writeFile("early", "/x", bytes("x"))));
      // the server offers no view of an update waiting for its first task: give the call a moment
      // to arrive (were it later, the test would take the ordinary path and still pass)
      Thread.sleep(1000);
      env.start();
      assertThat(write.get(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(SandboxException.class, e -> {
        assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING);
        assertThat(e.getMessage()).contains("volume \"early\" is pending");
      });
    }
  }
}
