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

  /** Every broken rule: a grace that is negative or longer than {@link #MAX_GRACE}. Empty when the request is valid. */
  public java.util.List<dev.sandboxes.model.Violation> violations() {
    if (grace != null && (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0)) {
      return java.util.List.of(new dev.sandboxes.model.Violation("grace", "must be between 0 and " + MAX_GRACE.toDays()
          + " days, got " + grace));
    }
    return java.util.List.of();
  }

  /** Returns this request, or throws {@link dev.sandboxes.model.InvalidSpecException} naming the broken rule. */
  public ReapRequest validated() {
    if (!violations().isEmpty()) {
      throw new dev.sandboxes.model.InvalidSpecException("reap request", violations());
    }
    return this;
  }

  /** The grace, {@link #DEFAULT_GRACE} when unset. */
  public Duration effectiveGrace() {
    return grace == null ? DEFAULT_GRACE : grace;
  }
}
