package dev.sandboxes.runtime.kubernetes;

import dev.sandboxes.Conventions.Labels;
import dev.sandboxes.model.VolumeSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PersistentVolumeClaim behind a volume, as a pure function, and the one rule that names
 * it. The prefix keeps sandbox volumes apart from other claims in a shared namespace.
 */
public final class VolumeClaims {
  /** Prefix of claim names: {@code sandbox-volume-<volume name>}. */
  public static final String CLAIM_PREFIX = "sandbox-volume-";

  private VolumeClaims() {}

  /** The claim name of the volume {@code volume}. */
  public static String claimName(String volume) {
    return CLAIM_PREFIX + volume;
  }

  /** The claim for {@code volume}, with unset fields taken from {@code options}. */
  public static PersistentVolumeClaim claim(String volume, VolumeSpec spec,
      KubernetesRuntimeOptions options) {
    String size = spec.size() != null ? spec.size() : options.defaultVolumeSize();
    String storageClass =
        spec.storageClass() != null ? spec.storageClass() : options.defaultStorageClass();
    String accessMode = spec.accessMode() != null ? spec.accessMode() : options.defaultAccessMode();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.VOLUME, volume);
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(claimName(volume)).withLabels(labels).endMetadata()
        .withNewSpec()
          .withAccessModes(accessMode)
          .withStorageClassName(storageClass)
          .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
        .endSpec()
        .build();
  }
}
