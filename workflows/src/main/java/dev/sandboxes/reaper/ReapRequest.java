package dev.sandboxes.reaper;

import java.time.Duration;

/**
 * One pass of the orphan reaper.
 *
 * @param dryRun report what would be removed, remove nothing
 * @param grace how long an owner must have been closed, and an object must have existed, before
 *     the object is removed; {@code null} for {@link #DEFAULT_GRACE}
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record ReapRequest(boolean dryRun, Duration grace) {
  /** Gives a closing workflow's own cleanup time to finish before the reaper steps in. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  /** The longest grace a request may ask for. */
  public static final Duration MAX_GRACE = Duration.ofDays(30);

  public ReapRequest {
    if (grace != null && (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0)) {
      throw new dev.sandboxes.model.InvalidSpecException("reap request", java.util.List.of(
          new dev.sandboxes.model.Violation("grace", "must be between 0 and " + MAX_GRACE.toDays()
              + " days, got " + grace)));
    }
  }

  public Duration effectiveGrace() {
    return grace == null ? DEFAULT_GRACE : grace;
  }
}
