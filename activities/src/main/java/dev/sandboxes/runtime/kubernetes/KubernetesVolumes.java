package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.SandboxNotFoundException;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeInUseException;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import dev.sandboxes.runtime.Ownership;
import dev.sandboxes.runtime.PlatformException;
import dev.sandboxes.runtime.VolumePlatform;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The volumes of {@link KubernetesRuntime}: one PersistentVolumeClaim per volume. The claim
 * records its owner like a pod does ({@link VolumeClaims}); a volume is attached to the
 * unfinished sandbox pods that mount its claim; deleting one waits until the claim is gone, so
 * its PersistentVolume is released before a volume of the same name can be created again.
 */
final class KubernetesVolumes implements VolumePlatform {
  /** How long deleteVolume waits for the claim to disappear. */
  static final Duration DELETE_WAIT = Duration.ofSeconds(60);

  private final KubernetesGateway gateway;
  private final KubernetesRuntimeOptions options;

  KubernetesVolumes(KubernetesGateway gateway, KubernetesRuntimeOptions options) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public VolumeState createVolume(String name, VolumeSpec spec, SandboxOwner owner) {
    String claim = VolumeClaims.claimName(name);
    try {
      PersistentVolumeClaim existing = gateway.getClaim(claim);
      if (existing != null) {
        return adoptClaim(name, existing, owner);
      }
      try {
        return VolumeClaims.stateOf(name, gateway.createClaim(VolumeClaims.claim(name, spec, owner, options)));
      } catch (KubernetesClientException e) {
        PersistentVolumeClaim raced = KubernetesErrors.isConflict(e) ? gateway.getClaim(claim) : null;
        if (raced == null) {
          throw e;
        }
        return adoptClaim(name, raced, owner);
      }
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "create volume " + name);
    }
  }

  private VolumeState adoptClaim(String name, PersistentVolumeClaim claim, SandboxOwner owner) {
    Ownership.require("claim " + gateway.namespace() + "/" + claim.getMetadata().getName() + " of volume " + name,
        VolumeClaims.ownerOf(claim), owner);
    return VolumeClaims.stateOf(name, claim);
  }

  @Override
  public VolumeState inspectVolume(String name) {
    return VolumeClaims.stateOf(name, existingClaim(name));
  }

  /** The volume's claim; {@link SandboxNotFoundException} when it has none. */
  PersistentVolumeClaim existingClaim(String name) {
    PersistentVolumeClaim claim;
    try {
      claim = gateway.getClaim(VolumeClaims.claimName(VolumeSpec.validName(name)));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "read volume " + name);
    }
    if (claim == null) {
      throw new SandboxNotFoundException("volume \"" + name + "\" has no claim in namespace "
          + gateway.namespace());
    }
    return claim;
  }

  /** Waits on an informer of the claim; a claim deleted meanwhile is not found. */
  @Override
  public VolumeState awaitVolumeChange(String name, String known, Duration maxWait)
      throws InterruptedException {
    VolumeState current = inspectVolume(name);
    if (!current.phase().equals(known)) {
      return current;
    }
    try {
      gateway.awaitClaim(VolumeClaims.claimName(name),
          c -> c == null || !VolumeClaims.stateOf(name, c).phase().equals(known), maxWait);
    } catch (KubernetesClientException e) {
      if (e.getCause() instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw KubernetesErrors.translate(e, "watch volume " + name);
    }
    return inspectVolume(name);
  }

  /**
   * Sandbox pods (not volume helpers) whose spec mounts the volume's claim and whose phase is
   * not terminal: the ones that still hold it, as the claim's protection sees them.
   */
  @Override
  public List<String> attachedTo(String volume) {
    String claim = VolumeClaims.claimName(VolumeSpec.validName(volume));
    List<Pod> pods;
    try {
      pods = gateway.listPods(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));
    } catch (KubernetesClientException e) {
      throw KubernetesErrors.translate(e, "list the sandboxes of volume " + volume);
    }
    return usersOf(pods, claim);
  }

  /** The unfinished sandbox pods among {@code pods} that mount {@code claim}, by name. */
  static List<String> usersOf(List<Pod> pods, String claim) {
    return pods.stream()
        .filter(p -> p.getMetadata().getLabels() != null
            && p.getMetadata().getLabels().containsKey(Labels.SANDBOX))
        .filter(p -> mountsClaim(p, claim))
        .filter(p -> !PodPhases.stateOf(p).phase().terminal())
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static boolean mountsClaim(Pod pod, String claim) {
    return pod.getSpec() != null && pod.getSpec().getVolumes() != null
        && pod.getSpec().getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
            && claim.equals(v.getPersistentVolumeClaim().getClaimName()));
  }

  /**
   * Refuses while sandboxes are attached; deletes the volume's helper pods (they would hold the
   * claim), then the claim, and waits until the claim is gone: only then is its PersistentVolume
   * released, so a claim created again under the name binds to fresh (or scrubbed) storage.
   */
  @Override
  public void deleteVolume(String name) {
    List<String> users = attachedTo(name);
    if (!users.isEmpty()) {
      throw new VolumeInUseException(name, users);
    }
    String claim = VolumeClaims.claimName(name);
    boolean gone;
    try {
      for (Pod helper : gateway.listPods(VolumeHelpers.selector(name))) {
        gateway.deletePod(helper.getMetadata().getName());
      }
      gateway.deleteClaim(claim);
      gone = gateway.awaitClaimGone(claim, DELETE_WAIT);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return;
      }
      throw KubernetesErrors.translate(e, "delete volume " + name);
    }
    if (!gone) {
      throw PlatformException.unavailable("volume " + name + ": claim " + gateway.namespace() + "/"
          + claim + " is still being deleted after " + DELETE_WAIT.toSeconds()
          + "s (a pod may still use it); delete again later", null);
    }
  }
}
