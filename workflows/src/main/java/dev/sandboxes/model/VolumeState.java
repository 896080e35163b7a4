package dev.sandboxes.model;

/**
 * A volume as its runtime observes it.
 *
 * @param phase {@code pending}, {@code ready} or {@code failed}
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record VolumeState(String name, String phase, String reason, String size, RuntimeRef ref) {
  public static final String PENDING = "pending";
  public static final String READY = "ready";
  public static final String FAILED = "failed";
}
