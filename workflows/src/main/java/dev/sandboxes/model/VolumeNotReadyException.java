package dev.sandboxes.model;

/** The volume is not in a phase that allows the operation (files of a pending or deleted volume). */
public class VolumeNotReadyException extends SandboxException {
  /**
   * An error of type {@link SandboxErrors#NOT_RUNNING}: volume {@code volume} is {@code phase}
   * (such as {@code pending} or {@code being deleted}), and {@code operation} needs a ready volume.
   */
  public VolumeNotReadyException(String volume, String operation, String phase) {
    super(SandboxErrors.NOT_RUNNING, "volume \"" + volume + "\" is " + phase + "; " + operation
        + " needs a ready volume");
  }
}
