package dev.sandboxes.model;

import java.time.Instant;
import java.util.List;

/**
 * A volume as its workflow records it.
 *
 * @param phase {@code pending}, {@code ready}, {@code failed} or, once its workflow has deleted
 *     it, {@code deleted}
 * @param spec what was asked for (unset fields took the runtime's defaults)
 * @param size the capacity the runtime reports, when it reports one
 * @param attachedTo sandboxes that mount it and have not finished, from the visibility store;
 *     empty as the workflow itself reports it (see {@code VolumeClient})
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record VolumeStatus(
    String name,
    String phase,
    String reason,
    String message,
    VolumeSpec spec,
    String size,
    Instant createdAt,
    Instant readyAt,
    Instant deletedAt,
    RuntimeRef ref,
    List<String> attachedTo) {
  public static final String DELETED = "deleted";

  /** Copies {@code attachedTo}; {@code null} for none. */
  public VolumeStatus {
    attachedTo = attachedTo == null ? List.of() : List.copyOf(attachedTo);
  }

  /** A copy whose {@code attachedTo} is {@code sandboxes}. */
  public VolumeStatus withAttachedTo(List<String> sandboxes) {
    return new VolumeStatus(name, phase, reason, message, spec, size, createdAt, readyAt, deletedAt, ref,
        sandboxes);
  }
}
