package dev.sandboxes.activity;

import dev.sandboxes.runtime.OwnedObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The reaper's one rule, as a pure function: is this object an orphan, and why.
 *
 * <table>
 *   <caption>object × owner → decision</caption>
 *   <tr><th>object</th><th>owner</th><th>decision</th></tr>
 *   <tr><td>no owner recorded</td><td>—</td><td>keep (not provably ours to remove)</td></tr>
 *   <tr><td>younger than the grace</td><td>any</td><td>keep (its owner may still be starting)</td></tr>
 *   <tr><td>any</td><td>open, same first run (or the server does not say)</td><td>keep</td></tr>
 *   <tr><td>any</td><td>open, another first run</td><td>orphan: a later workflow took the ID</td></tr>
 *   <tr><td>any</td><td>closed less than the grace ago</td><td>keep (its own cleanup may be running)</td></tr>
 *   <tr><td>any</td><td>closed at least the grace ago</td><td>orphan</td></tr>
 *   <tr><td>older than {@link #MISSING_OWNER_AGE}</td><td>no execution of that ID</td><td>orphan
 *       (the owner's history is gone by retention)</td></tr>
 *   <tr><td>younger than that</td><td>no execution of that ID</td><td>keep (it may belong to
 *       another Temporal server sharing the namespace, or a start not yet visible)</td></tr>
 * </table>
 */
final class OrphanRule {
  /**
   * How old an object must be before a missing owner makes it an orphan. Retention keeps closed
   * workflows for days, so a legitimately missing owner is always older than this.
   */
  static final Duration MISSING_OWNER_AGE = Duration.ofHours(1);

  private OrphanRule() {}

  /** Why {@code object} is an orphan, or empty to keep it. */
  static Optional<String> why(OwnedObject object, OwnerStatus owner, Instant now, Duration grace) {
    if (!object.hasOwner()) {
      return Optional.empty();
    }
    if (object.createdAt() != null && now.isBefore(object.createdAt().plus(grace))) {
      return Optional.empty();
    }
    String id = object.owner().workflowId();
    if (!owner.exists()) {
      boolean oldEnough = object.createdAt() != null
          && !now.isBefore(object.createdAt().plus(MISSING_OWNER_AGE));
      return oldEnough ? Optional.of("owner workflow " + id + " no longer exists") : Optional.empty();
    }
    if (owner.open()) {
      String current = owner.firstRunId();
      if (current == null || current.isEmpty() || current.equals(object.owner().firstRunId())) {
        return Optional.empty();
      }
      return Optional.of("owner workflow " + id + " is now a later workflow (first run " + current
          + "), not first run " + object.owner().firstRunId());
    }
    if (owner.closedAt() != null && now.isBefore(owner.closedAt().plus(grace))) {
      return Optional.empty();
    }
    return Optional.of("owner workflow " + id + " is closed (" + owner.status().toLowerCase()
        + (owner.closedAt() == null ? "" : " at " + owner.closedAt()) + ")");
  }
}
