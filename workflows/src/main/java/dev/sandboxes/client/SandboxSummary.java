package dev.sandboxes.client;

import dev.sandboxes.model.SandboxPhase;
import dev.sandboxes.model.SandboxStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One sandbox as the Temporal visibility store lists it: what its search attributes say, and the
 * status its workflow keeps in the memo ({@code SandboxPresentation.STATUS_MEMO}), without asking
 * the workflow.
 *
 * @param startTime when its workflow (its current run) started
 * @param open its workflow is still running
 * @param volumes names of the volumes it mounts
 * @param memo the status its workflow last kept in the memo, tags and message as the memo holds
 *     them; null for a sandbox just queued (no reason yet) and for one whose workflow began before
 *     the memo was kept
 */
public record SandboxSummary(
    String name, String image, SandboxPhase phase, Map<String, String> tags, Instant startTime,
    boolean open, List<String> volumes, SandboxStatus memo) {
  /** Copies {@code volumes}; {@code null} for none. */
  public SandboxSummary {
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
  }

  /** A summary without a kept status (as before the memo). */
  public SandboxSummary(String name, String image, SandboxPhase phase, Map<String, String> tags, Instant startTime,
      boolean open, List<String> volumes) {
    this(name, image, phase, tags, startTime, open, volumes, null);
  }

  /**
   * The sandbox's status as far as visibility knows it: the kept one with the tags of the search
   * attributes; null when none was kept (then the other components are all there is).
   */
  public SandboxStatus status() {
    if (memo == null) {
      return null;
    }
    return memo.withTags(tags);
  }
}
