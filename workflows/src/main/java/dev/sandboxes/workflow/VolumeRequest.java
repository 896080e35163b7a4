package dev.sandboxes.workflow;

import dev.sandboxes.model.VolumeSpec;
import dev.sandboxes.model.VolumeStatus;

/**
 * The input of a volume workflow.
 *
 * @param carried the status handed over by continue-as-new; {@code null} on a fresh start
 * @param updatesPerRun updates served before continuing as new; {@code null} for the default
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record VolumeRequest(String name, VolumeSpec spec, VolumeStatus carried, Integer updatesPerRun) {
  /** The request's own rule (the spec has its own): {@code updatesPerRun} 1..{@value SandboxRequest#MAX_UPDATES_PER_RUN}. */
  public java.util.List<dev.sandboxes.model.Violation> violations() {
    return dev.sandboxes.model.Violation.outside("updatesPerRun", updatesPerRun, 1, SandboxRequest.MAX_UPDATES_PER_RUN)
        .stream().toList();
  }

  /**
   * The request of a new volume {@code name}: nothing carried and the default updates per run; a
   * {@code null} {@code spec} is taken as {@link VolumeSpec#defaults()}.
   */
  public static VolumeRequest of(String name, VolumeSpec spec) {
    return new VolumeRequest(name, spec, null, null);
  }

  /** The request the next run starts with after continue-as-new, carrying {@code status}. */
  public VolumeRequest continued(VolumeStatus status) {
    return new VolumeRequest(name, spec, status, updatesPerRun);
  }
}
