package dev.sandboxes.model;

import java.util.List;
import java.util.stream.Collectors;

/** A spec or request broke one or more rules; {@link #violations()} lists each field and rule. */
public class InvalidSpecException extends SandboxException {
  private final List<Violation> violations;

  /**
   * An error of type {@link SandboxErrors#INVALID_SPEC} whose message names {@code what} (such as
   * {@code sandbox spec}) and every violation.
   */
  public InvalidSpecException(String what, List<Violation> violations) {
    super(SandboxErrors.INVALID_SPEC, describe(what, violations));
    this.violations = List.copyOf(violations);
  }

  /** Each broken rule: the field and what it must be. */
  public List<Violation> violations() {
    return violations;
  }

  private static String describe(String what, List<Violation> violations) {
    return "invalid " + what + ": "
        + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }
}
