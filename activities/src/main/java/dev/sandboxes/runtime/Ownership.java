package dev.sandboxes.runtime;

import dev.sandboxes.model.SandboxOwner;

/**
 * The one ownership rule of every runtime: an object belongs to the owner it records (workflow
 * ID and first run ID, both). A retried create adopts an object it made; it refuses one another
 * owner made ({@code SandboxNameConflict}) and never touches it.
 */
public final class Ownership {
  private Ownership() {}

  /**
   * Returns when {@code recorded} (what the object says) is {@code claimant}; otherwise throws
   * the conflict, naming {@code object} (e.g. {@code pod ns/name}) and both owners.
   */
  public static void require(String object, SandboxOwner recorded, SandboxOwner claimant) {
    if (!claimant.equals(recorded)) {
      throw PlatformException.conflict(object + " already exists and belongs to workflow "
          + (recorded == null ? null : recorded.workflowId()) + " (first run "
          + (recorded == null ? null : recorded.firstRunId()) + "), not to " + claimant.workflowId()
          + " (first run " + claimant.firstRunId() + ")");
    }
  }
}
