package dev.sandboxes.model;

import java.util.List;

/** A volume cannot be deleted while sandboxes that are not finished mount it. */
public class VolumeInUseException extends SandboxException {
  private final List<String> sandboxes;

  /**
   * An error of type {@link SandboxErrors#VOLUME_IN_USE} naming {@code volume} and the unfinished
   * {@code sandboxes} that mount it.
   */
  public VolumeInUseException(String volume, List<String> sandboxes) {
    super(SandboxErrors.VOLUME_IN_USE, "volume \"" + volume + "\" is attached to sandbox(es) "
        + String.join(", ", sandboxes) + " that have not finished; terminate them first");
    this.sandboxes = List.copyOf(sandboxes);
  }

  /** The sandboxes that still mount the volume. */
  public List<String> sandboxes() {
    return sandboxes;
  }
}
