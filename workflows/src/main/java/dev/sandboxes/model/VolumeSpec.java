package dev.sandboxes.model;

/**
 * A volume to create: storage that outlives sandboxes. Unset fields take runtime defaults.
 *
 * @param size a Kubernetes quantity such as {@code 1Gi}
 * @param storageClass Kubernetes storage class; {@code null} for the cluster default
 * @param accessMode {@code ReadWriteOnce}, {@code ReadWriteMany} or {@code ReadOnlyMany}
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record VolumeSpec(String size, String storageClass, String accessMode) {
  /** Every field unset: the runtime's default size, storage class and access mode. */
  public static VolumeSpec defaults() {
    return new VolumeSpec(null, null, null);
  }

  /**
   * Returns this spec, or throws {@link InvalidSpecException} when {@code size} is not a positive
   * Kubernetes quantity or {@code accessMode} is not one of the access modes Kubernetes names.
   */
  public VolumeSpec validated() {
    Rules rules = new Rules();
    rules.quantity("size", size);
    rules.accessMode("accessMode", accessMode);
    rules.orThrow("volume spec");
    return this;
  }

  /** Validates a volume name: a DNS-1123 label of at most 63 characters. */
  public static String validName(String name) {
    Rules rules = new Rules();
    rules.dnsLabel("name", name);
    rules.orThrow("volume name");
    return name;
  }
}
