package dev.sandboxes.model;

/** The volume is not in a phase that allows the operation (files of a pending or deleted volume). */
public class VolumeNotReadyException extends SandboxException {
  public VolumeNotReadyException(String volume, String operation, String phase) {
    super(SandboxErrors.NOT_RUNNING, "volume \"" + volume + "\" is " + phase + "; " + operation
        + " needs a ready volume");
  }
}
