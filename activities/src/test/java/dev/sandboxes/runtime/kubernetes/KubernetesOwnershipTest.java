package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.activity.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.runtime.OwnedObject;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the orphan reaper sees of the Kubernetes runtime, on the fabric8 mock API server: every
 * object the project labels, with its recorded owner, and deletes that check the owner again.
 */
class KubernetesOwnershipTest {
  private static final String NAMESPACE = "sandboxes";

  private static SimulatedApiServer api;
  private static KubernetesClient client;
  private static KubernetesRuntime runtime;

  @BeforeAll
  static void startCluster() {
    api = SimulatedApiServer.start();
    client = api.server().createClient();
    runtime = new KubernetesRuntime(client, KubernetesRuntimeOptions.builder().namespace(NAMESPACE).build());
  }

  @AfterAll
  static void stopCluster() {
    runtime.close();
    client.close();
    api.server().destroy();
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static List<OwnedObject> ownedNamed(String... names) {
    List<String> wanted = List.of(names);
    return runtime.ownedObjects().stream().filter(o -> wanted.contains(o.name())).toList();
  }

  @Test
  void listsThePodPolicyAndClaimOfASandboxAndItsVolumeWithTheirOwners() {
    String volume = unique("vol");
    SandboxOwner volumeOwner = new SandboxOwner("volume/" + volume, "run-v");
    runtime.createVolume(volume, new VolumeSpec("1Gi", null, null), volumeOwner);
    String name = unique("sb");
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-s");
    runtime.create(SandboxSpec.builder("busybox:1.36").name(name).volume("/data", volume).build(), owner);
    String claim = VolumeClaims.claimName(volume);

    List<OwnedObject> found = ownedNamed(name, claim);

    assertThat(found).extracting(OwnedObject::kind, OwnedObject::name, OwnedObject::owner)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(OwnedObject.SANDBOX_POD, name, owner),
            org.assertj.core.groups.Tuple.tuple(OwnedObject.NETWORK_POLICY, name, owner),
            org.assertj.core.groups.Tuple.tuple(OwnedObject.VOLUME_CLAIM, claim, volumeOwner));
    assertThat(found).filteredOn(o -> o.kind().equals(OwnedObject.VOLUME_CLAIM))
        .singleElement().satisfies(o -> assertThat(o.usedBy()).containsExactly(name));
  }

  @Test
  void aHelperPodIsListedAsOneAndBelongsToItsVolumesOwner() {
    String volume = unique("vol");
    SandboxOwner volumeOwner = new SandboxOwner("volume/" + volume, "run-h");
    String helper = VolumeHelpers.name(volume, "left");
    client.pods().inNamespace(NAMESPACE)
        .resource(VolumeHelpers.pod(volume, helper, volumeOwner, runtime.options())).create();

    assertThat(ownedNamed(helper)).singleElement().satisfies(o -> {
      assertThat(o.kind()).isEqualTo(OwnedObject.VOLUME_HELPER_POD);
      assertThat(o.owner()).isEqualTo(volumeOwner);
    });
  }

  @Test
  void anObjectWithoutTheProjectsLabelIsNeverListed() {
    String stranger = unique("stranger");
    client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(stranger)
        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer()
        .endSpec().build()).create();

    assertThat(runtime.ownedObjects()).extracting(OwnedObject::name).doesNotContain(stranger);
  }

  @Test
  void anObjectAlreadyBeingDeletedIsNotListedAgain() {
    String name = unique("going");
    var pod = PodSpecs.pod(SandboxSpec.builder("busybox:1.36").name(name).build(),
        new SandboxOwner("sandbox/" + name, "run-g"), runtime.options());
    // A finalizer holds the pod after its delete, as the kubelet does while it stops a pod.
    pod.getMetadata().setFinalizers(List.of("sandboxes.dev/test-keeps-it"));
    client.pods().inNamespace(NAMESPACE).resource(pod).create();
    client.pods().inNamespace(NAMESPACE).withName(name).delete();
    assertThat(client.pods().inNamespace(NAMESPACE).withName(name).get().getMetadata().getDeletionTimestamp())
        .as("deleted but still there").isNotNull();

    assertThat(runtime.ownedObjects()).extracting(OwnedObject::name).doesNotContain(name);
  }

  @Test
  void deleteOwnedRemovesTheObjectOnlyWhileItStillHasThatOwner() {
    String name = unique("sb");
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-1");
    runtime.create(SandboxSpec.builder("busybox:1.36").name(name).build(), owner);
    OwnedObject pod = ownedNamed(name).stream().filter(o -> o.kind().equals(OwnedObject.SANDBOX_POD))
        .findFirst().orElseThrow();
    OwnedObject someoneElses = new OwnedObject(pod.kind(), pod.name(),
        new SandboxOwner(owner.workflowId(), "another-run"), pod.createdAt(), List.of());

    assertThat(runtime.deleteOwned(someoneElses)).isFalse();
    assertThat(client.pods().inNamespace(NAMESPACE).withName(name).get()).isNotNull();

    assertThat(runtime.deleteOwned(pod)).isTrue();
    assertThat(client.pods().inNamespace(NAMESPACE).withName(name).get()).isNull();
    assertThat(runtime.deleteOwned(pod)).as("already gone").isFalse();

    OwnedObject policy = ownedNamed(name).stream().filter(o -> o.kind().equals(OwnedObject.NETWORK_POLICY))
        .findFirst().orElseThrow();
    assertThat(runtime.deleteOwned(policy)).isTrue();
    assertThat(ownedNamed(name)).isEmpty();
  }
}
