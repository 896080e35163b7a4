package dev.sandboxes.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.SandboxSpec;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.runtime.OwnedObject;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the orphan reaper sees of the Kubernetes runtime, on the fabric8 mock API server: every
 * object the project labels, with its recorded owner, and deletes that check the owner again.
 */
class KubernetesOwnershipTest {
  private static final String NAMESPACE = MockCluster.NAMESPACE;

  @RegisterExtension
  static final MockCluster cluster = MockCluster.start();

  private static List<OwnedObject> ownedNamed(String... names) {
    List<String> wanted = List.of(names);
    return cluster.runtime.ownedObjects().stream().filter(o -> wanted.contains(o.name())).toList();
  }

  @Test
  void listsThePodPolicyAndClaimOfASandboxAndItsVolumeWithTheirOwners() {
    String volume = MockCluster.unique("vol");
    SandboxOwner volumeOwner = new SandboxOwner("volume/" + volume, "run-v");
    cluster.runtime.createVolume(volume, new VolumeSpec("1Gi", null, null), volumeOwner);
    String name = MockCluster.unique("sb");
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-s");
    cluster.runtime.create(SandboxSpec.builder("busybox:1.36").name(name).volume("/data", volume)
        .egress(dev.sandboxes.model.EgressPolicy.allow("10.20.0.0/16")).build(), owner);
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
    String volume = MockCluster.unique("vol");
    SandboxOwner volumeOwner = new SandboxOwner("volume/" + volume, "run-h");
    String helper = VolumeHelpers.name(volume, "left");
    cluster.client.pods().inNamespace(NAMESPACE)
        .resource(VolumeHelpers.pod(volume, helper, volumeOwner, cluster.runtime.options())).create();

    assertThat(ownedNamed(helper)).singleElement().satisfies(o -> {
      assertThat(o.kind()).isEqualTo(OwnedObject.VOLUME_HELPER_POD);
      assertThat(o.owner()).isEqualTo(volumeOwner);
    });
  }

  @Test
  void anObjectWithoutTheProjectsLabelIsNeverListed() {
    String stranger = MockCluster.unique("stranger");
    cluster.client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(stranger)
        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer()
        .endSpec().build()).create();

    assertThat(cluster.runtime.ownedObjects()).extracting(OwnedObject::name).doesNotContain(stranger);
  }

  @Test
  void anObjectAlreadyBeingDeletedIsNotListedAgain() {
    String name = MockCluster.unique("going");
    var pod = PodSpecs.pod(SandboxSpec.builder("busybox:1.36").name(name).build(),
        new SandboxOwner("sandbox/" + name, "run-g"), cluster.runtime.options());
    // A finalizer holds the pod after its delete, as the kubelet does while it stops a pod.
    pod.getMetadata().setFinalizers(List.of("sandboxes.dev/test-keeps-it"));
    cluster.client.pods().inNamespace(NAMESPACE).resource(pod).create();
    cluster.client.pods().inNamespace(NAMESPACE).withName(name).delete();
    assertThat(cluster.client.pods().inNamespace(NAMESPACE).withName(name).get().getMetadata().getDeletionTimestamp())
        .as("deleted but still there").isNotNull();

    assertThat(cluster.runtime.ownedObjects()).extracting(OwnedObject::name).doesNotContain(name);
  }

  @Test
  void deleteOwnedRemovesTheObjectOnlyWhileItStillHasThatOwner() {
    String name = MockCluster.unique("sb");
    SandboxOwner owner = new SandboxOwner("sandbox/" + name, "run-1");
    cluster.runtime.create(SandboxSpec.builder("busybox:1.36").name(name)
        .egress(dev.sandboxes.model.EgressPolicy.allow("10.20.0.0/16")).build(), owner);
    OwnedObject pod = ownedNamed(name).stream().filter(o -> o.kind().equals(OwnedObject.SANDBOX_POD))
        .findFirst().orElseThrow();
    OwnedObject someoneElses = new OwnedObject(pod.kind(), pod.name(),
        new SandboxOwner(owner.workflowId(), "another-run"), pod.createdAt(), List.of());

    assertThat(cluster.runtime.deleteOwned(someoneElses)).isFalse();
    assertThat(cluster.client.pods().inNamespace(NAMESPACE).withName(name).get()).isNotNull();

    assertThat(cluster.runtime.deleteOwned(pod)).isTrue();
    assertThat(cluster.client.pods().inNamespace(NAMESPACE).withName(name).get()).isNull();
    assertThat(cluster.runtime.deleteOwned(pod)).as("already gone").isFalse();

    OwnedObject policy = ownedNamed(name).stream().filter(o -> o.kind().equals(OwnedObject.NETWORK_POLICY))
        .findFirst().orElseThrow();
    assertThat(cluster.runtime.deleteOwned(policy)).isTrue();
    assertThat(ownedNamed(name)).isEmpty();
  }
}
