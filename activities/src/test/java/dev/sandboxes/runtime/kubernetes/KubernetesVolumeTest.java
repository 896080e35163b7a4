package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxes.model.FileEntry;
import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.RuntimeState;
import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.Violation;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumeSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Volumes on the fabric8 mock API server: the objects the runtime creates and reads (claims,
 * sandbox pods, helper pods) and how it reacts to the helper's answers, scripted here. Real
 * data flow is {@link KubernetesVolumeClusterTest}'s.
 */
class KubernetesVolumeTest {
  private static final String NAMESPACE = MockCluster.NAMESPACE;

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start();

  private static SandboxOwner owner(String volume) {
    return new SandboxOwner("volume/" + volume, "run-" + volume);
  }

  private static PersistentVolumeClaim claimOf(String volume) {
    return cluster.client.persistentVolumeClaims().inNamespace(NAMESPACE)
        .withName(VolumeClaims.claimName(volume)).get();
  }

  private static List<Pod> helpersOf(String volume) {
    return cluster.client.pods().inNamespace(NAMESPACE).withLabels(VolumeHelpers.selector(volume)).list().getItems();
  }

  private static String sandbox(String volume, boolean idle) throws Exception {
    String name = MockCluster.unique("sb");
    SandboxSpec.Builder spec = SandboxSpec.builder("busybox:1.36").name(name).volume("/data", volume);
    if (!idle) {
      spec.command("true");
    }
    cluster.runtime.create(spec.build(), new SandboxOwner("sandbox/" + name, "run-" + name));
    SandboxPhase target = idle ? SandboxPhase.RUNNING : SandboxPhase.SUCCEEDED;
    Instant deadline = Instant.now().plusSeconds(20);
    RuntimeState state = cluster.runtime.inspect(name);
    while (state.phase() != target && Instant.now().isBefore(deadline)) {
      state = cluster.runtime.awaitChange(name, state.phase(), Duration.ofSeconds(5));
    }
    assertThat(state.phase()).isEqualTo(target);
    return name;
  }

  @Test
  void theClaimCarriesTheOwnerAndTheVolumeLabel() {
    String volume = MockCluster.unique("owned");
    cluster.runtime.createVolume(volume, new VolumeSpec("2Gi", null, null), owner(volume));
    PersistentVolumeClaim claim = claimOf(volume);
    assertThat(claim.getMetadata().getLabels())
        .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).containsEntry(Labels.VOLUME, volume);
    assertThat(claim.getMetadata().getAnnotations())
        .containsEntry(Annotations.OWNER_WORKFLOW, "volume/" + volume)
        .containsEntry(Annotations.OWNER_RUN, "run-" + volume);
    assertThat(cluster.runtime.createVolume(volume, VolumeSpec.defaults(), owner(volume)).size()).isEqualTo("2Gi");
    cluster.runtime.deleteVolume(volume);
  }

  @Test
  void attachedToListsUnfinishedSandboxPodsThatMountTheClaimAndNothingElse() throws Exception {
    String volume = MockCluster.unique("att");
    String other = MockCluster.unique("other");
    cluster.runtime.createVolume(volume, VolumeSpec.defaults(), owner(volume));
    cluster.runtime.createVolume(other, VolumeSpec.defaults(), owner(other));
    String second = sandbox(volume, true);
    String first = sandbox(volume, true);
    String finished = sandbox(volume, false);
    String elsewhere = sandbox(other, true);
    cluster.client.pods().inNamespace(NAMESPACE).resource(
        VolumeHelpers.pod(volume, VolumeHelpers.name(volume, "manual"), owner(volume), cluster.runtime.options())).create();

    assertThat(cluster.runtime.attachedTo(volume)).containsExactlyElementsOf(
        java.util.stream.Stream.of(first, second).sorted().toList());
    assertThatThrownBy(() -> cluster.runtime.deleteVolume(volume))
        .isInstanceOfSatisfying(VolumeInUseException.class, e -> assertThat(e.sandboxes())
            .containsExactlyInAnyOrder(first, second));
    assertThat(claimOf(volume)).isNotNull();

    for (String name : List.of(first, second, finished, elsewhere)) {
      cluster.runtime.delete(name);
    }
    assertThat(cluster.runtime.attachedTo(volume)).isEmpty();
    cluster.runtime.deleteVolume(volume);
    cluster.runtime.deleteVolume(other);
    assertThat(claimOf(volume)).isNull();
    assertThat(helpersOf(volume)).as("helpers of a deleted volume").isEmpty();
  }

  @Test
  void deleteVolumeReturnsOnlyOnceTheClaimIsGone() throws Exception {
    String volume = MockCluster.unique("slow");
    cluster.runtime.createVolume(volume, VolumeSpec.defaults(), owner(volume));
    cluster.client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(VolumeClaims.claimName(volume))
        .edit(c -> {
          c.getMetadata().setFinalizers(List.of("example.com/hold"));
          return c;
        });
    CompletableFuture<Void> deleting = CompletableFuture.runAsync(() -> cluster.runtime.deleteVolume(volume));
    Thread.sleep(700);
    assertThat(deleting).as("deleteVolume while the claim still exists").isNotDone();
    assertThat(claimOf(volume).getMetadata().getDeletionTimestamp()).isNotNull();
    cluster.client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(VolumeClaims.claimName(volume))
        .edit(c -> {
          c.getMetadata().setFinalizers(List.of());
          return c;
        });
    deleting.get(20, TimeUnit.SECONDS);
    assertThat(claimOf(volume)).isNull();
  }

  @Test
  void theHelperPodIsDeletedEvenWhenTheOperationFails() {
    String volume = MockCluster.unique("fails");
    cluster.runtime.createVolume(volume, VolumeSpec.defaults(), owner(volume));
    // No exec is scripted for this path: the mock refuses the exec, the operation fails.
    assertThatThrownBy(() -> cluster.runtime.listFiles(volume, "/unscripted")).isNotNull();
    assertThat(helpersOf(volume)).isEmpty();
    cluster.runtime.deleteVolume(volume);
  }

  @Test
  void helpersOlderThanTheirDeadlineAreDeletedByTheNextOperation() throws Exception {
    // The mock server stamps creation times itself, so the deadline is made short instead.
    KubernetesRuntime quick = new KubernetesRuntime(cluster.client,
        cluster.runtime.options().toBuilder().helperDeadline(Duration.ofSeconds(2)).build());
    String volume = MockCluster.unique("stale");
    quick.createVolume(volume, VolumeSpec.defaults(), owner(volume));
    Pod stale = VolumeHelpers.pod(volume, VolumeHelpers.name(volume, "crashed"),
        owner(volume), quick.options());
    cluster.client.pods().inNamespace(NAMESPACE).resource(stale).create();
    Thread.sleep(3_100);
    Pod fresh = VolumeHelpers.pod(volume, VolumeHelpers.name(volume, "busy"),
        owner(volume), quick.options());
    cluster.client.pods().inNamespace(NAMESPACE).resource(fresh).create();
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD, new SimulatedApiServer.ScriptedExec(
        VolumeFileCommands.list("/"), "", "", 0));

    assertThat(quick.listFiles(volume, "/")).isEmpty();
    assertThat(helpersOf(volume)).extracting(p -> p.getMetadata().getName())
        .containsExactly(fresh.getMetadata().getName());
    quick.deleteVolume(volume);
    assertThat(helpersOf(volume)).isEmpty();
    quick.close();
  }

  @Test
  void theHelpersAnswersBecomeEntriesAndTypedErrors() {
    String volume = MockCluster.unique("answers");
    cluster.runtime.createVolume(volume, VolumeSpec.defaults(), owner(volume));
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD, new SimulatedApiServer.ScriptedExec(
        VolumeFileCommands.list("/results"),
        "regular file/5/1700000000/b.txt\0directory/4096/1700000001/a dir\0", "", 0));
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD, new SimulatedApiServer.ScriptedExec(
        VolumeFileCommands.read("/results/gone", 0, 10), "", "", VolumeFileCommands.MISSING));
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD, new SimulatedApiServer.ScriptedExec(
        VolumeFileCommands.read("/results", 0, 10), "", "", VolumeFileCommands.IS_DIRECTORY));
    cluster.api.scriptExec(SimulatedApiServer.ANY_POD, new SimulatedApiServer.ScriptedExec(
        VolumeFileCommands.move("/a", "/b"), "", "", VolumeFileCommands.EXISTS));

    assertThat(cluster.runtime.listFiles(volume, "/results")).containsExactly(
        new FileEntry("/results/a dir", FileEntry.DIR, 0, Instant.ofEpochSecond(1700000001)),
        new FileEntry("/results/b.txt", FileEntry.FILE, 5, Instant.ofEpochSecond(1700000000)));
    assertThatThrownBy(() -> cluster.runtime.readFile(volume, "/results/gone", 0, 10))
        .isInstanceOf(SandboxNotFoundException.class).hasMessageContaining("/results/gone");
    assertThatThrownBy(() -> cluster.runtime.readFile(volume, "/results", 0, 10))
        .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("path"));
    assertThatThrownBy(() -> cluster.runtime.moveFile(volume, "/a", "/b"))
        .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("to"));
    assertThat(helpersOf(volume)).isEmpty();
    cluster.runtime.deleteVolume(volume);
  }
}
