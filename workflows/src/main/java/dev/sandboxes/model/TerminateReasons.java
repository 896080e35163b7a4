package dev.sandboxes.model;

import java.util.List;

/**
 * The rule for the reason given with a terminate: it becomes the sandbox's status message, so it
 * is a line, not a document.
 */
public final class TerminateReasons {
  /** The longest reason, in characters. */
  public static final int MAX = 1024;

  private TerminateReasons() {}

  /** {@code reason} (null for none), or an {@link InvalidSpecException} naming the field and its limit. */
  public static String valid(String reason) {
    if (reason != null && reason.length() > MAX) {
      throw new InvalidSpecException("terminate request", List.of(new Violation("reason",
          "must be at most " + MAX + " characters, got " + reason.length())));
    }
    return reason;
  }
}
