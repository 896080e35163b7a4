package dev.sandboxes.worker;

/**
 * {@code sandboxes.versioning.enabled=true}, but the Temporal server (or the namespace) has no
 * Worker Deployments. Polling anyway would run the worker unversioned without a word, so it
 * does not start; the message says what to change.
 */
public final class VersioningUnsupportedException extends IllegalStateException {
  public VersioningUnsupportedException(String message) {
    super(message);
  }
}
