package dev.sandboxes.reaper;

import java.util.List;

/**
 * What one reaper pass found.
 *
 * @param dryRun nothing was removed; {@code removed} lists what would have been
 * @param removed the orphans removed (or that a dry run would remove)
 * @param kept objects of this project left alone: their owner is open, closed within the grace,
 *     or not recorded, or a claim is still mounted by a sandbox that stays
 * @param errors owners that could not be looked up or objects that could not be removed; they
 *     are tried again by the next pass
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ReapReport(boolean dryRun, List<ReapedObject> removed, int kept, List<String> errors) {
  public ReapReport {
    removed = removed == null ? List.of() : List.copyOf(removed);
    errors = errors == null ? List.of() : List.copyOf(errors);
  }
}
