package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.runtime.OwnedObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the orphan reaper needs from {@link KubernetesRuntime}: every object this project
 * labelled in the namespace (sandbox pods, volume helper pods, network policies, agent
 * secrets, claims) with
 * the owner it records, and a delete that only removes an object still recording that owner.
 */
final class KubernetesOwnedObjects {
  private final KubernetesGateway gateway;

  KubernetesOwnedObjects(KubernetesGateway gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  /**
   * The pods (sandboxes and volume helpers), network policies, agent secrets and claims labelled as managed by
   * this project in the namespace, with the owner each records. Objects already being deleted
   * are left out: they are on their way.
   */
  List<OwnedObject> ownedObjects() {
    Map<String, String> ours = Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    try {
      List<Pod> pods = gateway.listPods(ours);
      List<OwnedObject> objects = new ArrayList<>();
      for (Pod pod : pods) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        boolean helper = labels != null && Labels.VOLUME_HELPER_ROLE.equals(labels.get(Labels.ROLE));
        objects.add(owned(helper ? OwnedObject.VOLUME_HELPER_POD : OwnedObject.SANDBOX_POD, pod, List.of()));
      }
      for (var policy : gateway.listNetworkPolicies(ours)) {
        if (policy.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        objects.add(owned(OwnedObject.NETWORK_POLICY, policy, List.of()));
      }
      for (var secret : gateway.listSecrets(ours)) {
        if (secret.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        objects.add(owned(OwnedObject.AGENT_SECRET, secret, List.of()));
      }
      for (PersistentVolumeClaim claim : gateway.listClaims(ours)) {
        if (claim.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        objects.add(owned(OwnedObject.VOLUME_CLAIM, claim,
            KubernetesVolumes.usersOf(pods, claim.getMetadata().getName())));
      }
      return objects;
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "list the objects of namespace " + gateway.namespace());
    }
  }

  private static OwnedObject owned(String kind, HasMetadata object, List<String> usedBy) {
    Instant created = null;
    try {
      String stamp = object.getMetadata().getCreationTimestamp();
      created = stamp == null ? null : Instant.parse(stamp);
    } catch (DateTimeParseException e) {
      // Unknown age: the reaper then decides by the owner alone.
    }
    return new OwnedObject(kind, object.getMetadata().getName(), Owners.of(object), created, usedBy);
  }

  /** Deletes the object after reading it again: only while it still records the same owner. */
  boolean deleteOwned(OwnedObject object) {
    try {
      HasMetadata current = switch (object.kind()) {
        case OwnedObject.SANDBOX_POD, OwnedObject.VOLUME_HELPER_POD -> gateway.getPod(object.name());
        case OwnedObject.NETWORK_POLICY -> gateway.getNetworkPolicy(object.name());
        case OwnedObject.AGENT_SECRET -> gateway.getSecret(object.name());
        case OwnedObject.VOLUME_CLAIM -> gateway.getClaim(object.name());
        default -> throw new IllegalArgumentException("not a Kubernetes object kind: " + object.kind());
      };
      if (current == null || !Owners.of(current).equals(object.owner())) {
        return false;
      }
      switch (object.kind()) {
        case OwnedObject.NETWORK_POLICY -> gateway.deleteNetworkPolicy(object.name());
        case OwnedObject.AGENT_SECRET -> gateway.deleteSecret(object.name());
        case OwnedObject.VOLUME_CLAIM -> gateway.deleteClaim(object.name());
        default -> gateway.deletePod(object.name());
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw KubernetesErrors.translate(e, "delete " + object.kind() + " " + object.name());
    }
  }
}
