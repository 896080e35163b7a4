package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.model.RuntimeRef;
import dev.sandboxes.model.SandboxOwner;
import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeState;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PersistentVolumeClaim behind a volume and the volume's state derived from it, as pure
 * functions, and the one rule that names it. The prefix keeps sandbox volumes apart from other
 * claims in a shared namespace. The owner is recorded in annotations, as on sandbox pods, so a
 * retried create adopts its own claim and refuses one left by another owner.
 */
public final class VolumeClaims {
  /** Prefix of claim names: {@code sandbox-volume-<volume name>}. */
  public static final String CLAIM_PREFIX = "sandbox-volume-";
  /** Reason of a volume whose claim lost its PersistentVolume. */
  public static final String CLAIM_LOST = "ClaimLost";

  private VolumeClaims() {}

  /** The claim name of the volume {@code volume}. */
  public static String claimName(String volume) {
    return CLAIM_PREFIX + volume;
  }

  /** The claim for {@code volume}, with unset fields taken from {@code options}. */
  public static PersistentVolumeClaim claim(String volume, VolumeSpec spec, SandboxOwner owner,
      KubernetesRuntimeOptions options) {
    String size = spec.size() != null ? spec.size() : options.defaultVolumeSize();
    String storageClass =
        spec.storageClass() != null ? spec.storageClass() : options.defaultStorageClass();
    String accessMode = spec.accessMode() != null ? spec.accessMode() : options.defaultAccessMode();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.VOLUME, volume);
    Map<String, String> annotations = Owners.annotations(owner);
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
          .withName(claimName(volume))
          .withLabels(labels)
          .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          .withAccessModes(accessMode)
          .withStorageClassName(storageClass)
          .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
        .endSpec()
        .build();
  }

  /** The owner recorded on {@code claim}; fields are {@code null} when it records none. */
  public static SandboxOwner ownerOf(PersistentVolumeClaim claim) {
    return Owners.of(claim);
  }

  /**
   * The volume's state from its claim: Bound → ready, Lost → failed ({@link #CLAIM_LOST}),
   * anything else (Pending, no status yet) → pending. A claim whose provisioning failed stays
   * pending: that shows only in events, which the runtime does not read.
   */
  public static VolumeState stateOf(String volume, PersistentVolumeClaim claim) {
    String claimPhase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
    String phase = "Bound".equals(claimPhase) ? VolumeState.READY
        : "Lost".equals(claimPhase) ? VolumeState.FAILED : VolumeState.PENDING;
    String reason = "Lost".equals(claimPhase) ? CLAIM_LOST : null;
    Quantity size = claim.getStatus() != null && claim.getStatus().getCapacity() != null
        ? claim.getStatus().getCapacity().get("storage") : null;
    if (size == null && claim.getSpec() != null && claim.getSpec().getResources() != null
        && claim.getSpec().getResources().getRequests() != null) {
      size = claim.getSpec().getResources().getRequests().get("storage");
    }
    return new VolumeState(volume, phase, reason, size == null ? null : size.toString(),
        new RuntimeRef(PodPhases.RUNTIME, claim.getMetadata().getNamespace(),
            claim.getMetadata().getName(), null));
  }
}
