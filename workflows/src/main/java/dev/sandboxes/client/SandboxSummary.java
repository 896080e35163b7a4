package dev.sandboxes.client;

import dev.sandboxes.model.SandboxPhase;
import java.time.Instant;
import java.util.Map;

/**
 * One sandbox as the Temporal visibility store lists it: what its search attributes say.
 *
 * @param startTime when its workflow (its current run) started
 * @param open its workflow is still running
 * @param volumes names of the volumes it mounts
 */
public record SandboxSummary(
    String name, String image, SandboxPhase phase, Map<String, String> tags, Instant startTime,
    boolean open, java.util.List<String> volumes) {
  /** Copies {@code volumes}; {@code null} for none. */
  public SandboxSummary {
    volumes = volumes == null ? java.util.List.of() : java.util.List.copyOf(volumes);
  }
}
