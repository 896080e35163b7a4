package dev.sandboxes.model;

import java.util.Locale;

/**
 * Where a sandbox is in its life. The order is Porter's: {@code queued → creating → running →
 * succeeded / failed / terminated}. Only {@link #RUNNING} accepts exec; logs stay readable in
 * every phase.
 */
public enum SandboxPhase {
  /** Accepted, waiting for capacity: not yet scheduled, quota exceeded or unschedulable. */
  QUEUED,
  /** Scheduled: the image is being pulled and the containers are starting. */
  CREATING,
  /** The main process runs; exec is accepted. */
  RUNNING,
  /** The main process exited with code 0. */
  SUCCEEDED,
  /** The main process exited non-zero, or the runtime failed it (image pull, OOM, deadline). */
  FAILED,
  /** Terminated on request, by cancellation of its owner, or by its TTL. */
  TERMINATED;

  /**
   * True for the phases a sandbox never leaves: {@link #SUCCEEDED}, {@link #FAILED} and
   * {@link #TERMINATED}.
   */
  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == TERMINATED;
  }

  /** The lower-case spelling used on the wire, in search attributes and by the CLI. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the lower- or upper-case spelling; throws with the allowed values otherwise. */
  public static SandboxPhase parse(String value) {
    for (SandboxPhase phase : values()) {
      if (phase.wireName().equalsIgnoreCase(value == null ? "" : value.trim())) {
        return phase;
      }
    }
    throw new IllegalArgumentException(
        "phase must be one of queued, creating, running, succeeded, failed, terminated, got \""
            + value + "\"");
  }
}
