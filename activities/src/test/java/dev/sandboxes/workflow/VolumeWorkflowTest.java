package dev.sandboxes.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.client.SandboxClient;
import dev.sandboxes.client.VolumeClient;
import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.TaskQueues;
import dev.sandboxes.model.VolumePaths;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.model.VolumeStatus;
import dev.sandboxes.model.WorkflowIds;
import dev.sandboxes.plugin.SandboxPlugin;
import dev.sandboxes.runtime.ScriptedRuntime;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactoryOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VolumeWorkflow, the volume client and volume mounts of sandboxes, over a scripted runtime. */
class VolumeWorkflowTest {
  ScriptedRuntime runtime;
  TestWorkflowEnvironment env;
  WorkflowClient client;
  VolumeClient volumes;
  SandboxClient sandboxes;

  @BeforeEach
  void start() {
    runtime = new ScriptedRuntime();
    env = ScriptedEnvironment.start(runtime);
    client = env.getWorkflowClient();
    volumes = new VolumeClient(client);
    sandboxes = new SandboxClient(client);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  VolumeStatus ready(String name) {
    volumes.create(name, new VolumeSpec("1Gi", null, null));
    VolumeStatus status = volumes.awaitReady(name, Duration.ofSeconds(20));
    assertThat(status.phase()).isEqualTo(VolumeState.READY);
    return status;
  }

  @Test
  void aVolumeIsCreatedServesItsFilesAndIsDeleted() {
    VolumeStatus status = ready("data");
    assertThat(status.readyAt()).isNotNull();
    assertThat(status.spec().size()).isEqualTo("1Gi");

    FileEntry written = volumes.writeFile("data", "/results//run-1/./out.txt", bytes("hello volume"));
    assertThat(written.path()).isEqualTo("/results/run-1/out.txt");
    assertThat(volumes.listFiles("data", "/")).extracting(FileEntry::path)
        .containsExactly("/results/run-1/out.txt");
    assertThat(new String(volumes.readFile("data", "/results/run-1/out.txt", 6, 3).data(), StandardCharsets.UTF_8))
        .isEqualTo("vol");
    volumes.moveFile("data", "/results/run-1/out.txt", "/final.txt");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(volumes.readFile("data", "/final.txt", 0, -1, out)).isEqualTo(12);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello volume");
    assertThat(volumes.list()).extracting(VolumeStatus::name).containsExactly("data");

    VolumeStatus deleted = volumes.delete("data");
    assertThat(deleted.phase()).isEqualTo(VolumeStatus.DELETED);
    assertThat(deleted.deletedAt()).isNotNull();
    assertThat(runtime.volumeNames()).isEmpty();
    assertThatThrownBy(() -> volumes.get("data")).isInstanceOf(SandboxNotFoundException.class)
        .hasMessage("no volume named \"data\"");
    assertThatThrownBy(() -> volumes.delete("data")).isInstanceOf(SandboxNotFoundException.class);
    assertThat(volumes.list()).isEmpty();
  }

  @Test
  void aNameIsTakenWhileTheVolumeExistsAndFreeAfterItsDeletionForAnEmptyVolume() {
    ready("shared");
    volumes.writeFile("shared", "/old.txt", bytes("old"));
    assertThatThrownBy(() -> volumes.create("shared", VolumeSpec.defaults()))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.VOLUME_EXISTS))
        .hasMessageContaining("volume \"shared\" already exists");
    volumes.delete("shared");

    ready("shared");
    assertThat(volumes.listFiles("shared", "/")).isEmpty();
  }

  @Test
  void deletingAVolumeThatASandboxStillMountsIsRefusedNamingTheSandbox() {
    ready("work");
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("writer")
        .volumeMounts(java.util.Map.of("/work", "work")).build());
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(volumes.get("work").attachedTo()).containsExactly("writer");

    assertThatThrownBy(() -> volumes.delete("work"))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.VOLUME_IN_USE))
        .hasMessageContaining("writer");
    assertThat(volumes.get("work").phase()).isEqualTo(VolumeState.READY);
    assertThat(runtime.volumeNames()).containsExactly("work");

    sandboxes.terminate(name, "done");
    assertThat(volumes.get("work").attachedTo()).isEmpty();
    assertThat(volumes.delete("work").phase()).isEqualTo(VolumeStatus.DELETED);
  }

  @Test
  void aSandboxMountingAnUnknownVolumeFailsNamingIt() {
    SandboxSpec lost = SandboxSpec.builder("busybox:1.36").name("lost")
        .volumeMounts(java.util.Map.of("/data", "nope")).build();
    // the client refuses before the name is spent...
    assertThatThrownBy(() -> sandboxes.start(lost)).isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("volumeMounts[\"/data\"]: no volume named \"nope\"");
    assertThatThrownBy(() -> sandboxes.describe("lost")).isInstanceOf(SandboxNotFoundException.class);
    // ...and a workflow started without the client (or racing a delete) fails in its create
    SandboxWorkflow direct = client.newWorkflowStub(SandboxWorkflow.class,
        io.temporal.client.WorkflowOptions.newBuilder().setWorkflowId(WorkflowIds.sandboxWorkflowId("lost"))
            .setTaskQueue(TaskQueues.DEFAULT).build());
    WorkflowClient.start(direct::run, SandboxRequest.of(lost));
    String name = "lost";
    var result = sandboxes.result(name);
    assertThat(result.phase()).isEqualTo(SandboxPhase.FAILED);
    assertThat(result.status().reason()).isEqualTo(SandboxErrors.INVALID_SPEC);
    assertThat(result.status().message())
        .contains("volumeMounts[\"/data\"]: no volume named \"nope\"");
    assertThat(runtime.objectsCreated()).isZero();
  }

  @Test
  void aSandboxWaitsForItsVolumeToBeReady() {
    runtime.volumesStartPending(true);
    assertThat(volumes.create("slow", VolumeSpec.defaults()).phase()).isEqualTo(VolumeState.PENDING);
    String name = sandboxes.start(SandboxSpec.builder("busybox:1.36").name("patient")
        .volumeMounts(java.util.Map.of("/data", "slow")).build());
    SandboxWorkflowTest.await(() -> "VolumePending".equals(sandboxes.describe(name).reason()),
        "the sandbox to wait for its volume");
    assertThat(sandboxes.describe(name).phase()).isEqualTo(SandboxPhase.QUEUED);
    assertThat(runtime.objectsCreated()).isZero();
    assertThatThrownBy(() -> volumes.writeFile("slow", "/x", bytes("x")))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.NOT_RUNNING))
        .hasMessageContaining("volume \"slow\" is pending");

    runtime.makeVolumeReady("slow");
    assertThat(sandboxes.awaitRunning(name, Duration.ofSeconds(20)).phase()).isEqualTo(SandboxPhase.RUNNING);
    assertThat(volumes.awaitReady("slow", Duration.ofSeconds(20)).phase()).isEqualTo(VolumeState.READY);
    sandboxes.terminate(name, "done");
  }

  @Test
  void createAndDeleteInterruptedAfterTheirEffectLeaveNothingBehind() {
    // Each call takes effect, then its worker "dies" before reporting; Temporal retries it.
    runtime.failVolumeCallsAfterEffect(1);
    ready("retried");
    assertThat(runtime.volumeNames()).containsExactly("retried");
    runtime.failVolumeCallsAfterEffect(1);
    assertThat(volumes.delete("retried").phase()).isEqualTo(VolumeStatus.DELETED);
    assertThat(runtime.volumeNames()).isEmpty();
  }

  @Test
  void badNamesPathsAndSizesAreRefusedNamingTheFieldAndTheRule() {
    assertThatThrownBy(() -> volumes.create("Bad_Name", VolumeSpec.defaults()))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> volumes.create("ok", new VolumeSpec("lots", null, null)))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("size");
    ready("files");
    assertThatThrownBy(() -> volumes.readFile("files", "relative.txt", 0, 10))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("path: must be absolute");
    assertThatThrownBy(() -> volumes.writeFile("files", "/a/../../etc/passwd", bytes("x")))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("path: must not contain \"..\"");
    assertThatThrownBy(() -> volumes.writeFile("files", "/big", new byte[VolumePaths.MAX_TRANSFER + 1]))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("data: must be at most 1048576 bytes");
    assertThatThrownBy(() -> volumes.moveFile("files", "/", "/x"))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("from: must name a file");
    assertThatThrownBy(() -> volumes.readFile("files", "/missing", 0, 10))
        .isInstanceOf(SandboxNotFoundException.class).hasMessageContaining("/missing");
    volumes.writeFile("files", "/a", bytes("a"));
    volumes.writeFile("files", "/b", bytes("b"));
    assertThatThrownBy(() -> volumes.moveFile("files", "/a", "/b"))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.type()).isEqualTo(SandboxErrors.INVALID_SPEC))
        .hasMessageContaining("to: already exists");
    assertThat(volumes.listFiles("files", "/")).extracting(FileEntry::path).containsExactly("/a", "/b");
  }

  @Test
  void filesLargerThanOneTransferAreReadInChunks() {
    ready("big");
    byte[] data = new byte[VolumePaths.MAX_TRANSFER];
    new java.util.Random(7).nextBytes(data);
    volumes.writeFile("big", "/blob", data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(volumes.readFile("big", "/blob", 1000, -1, out)).isEqualTo(data.length - 1000);
    assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, data.length));
    List<FileEntry> entry = volumes.listFiles("big", "/blob");
    assertThat(entry).singleElement().satisfies(e -> assertThat(e.size()).isEqualTo(data.length));
  }
}
