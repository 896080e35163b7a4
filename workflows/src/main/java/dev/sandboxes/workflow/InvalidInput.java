package dev.sandboxes.workflow;

import dev.sandboxes.model.InvalidSpecException;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.Violation;
import io.temporal.failure.ApplicationFailure;
import java.util.List;

/**
 * How workflow code refuses bad input from its author: a non-retryable failure of type
 * {@link SandboxErrors#INVALID_SPEC} with the same one-line message as {@link InvalidSpecException}.
 */
public final class InvalidInput {
  private InvalidInput() {}

  /** Throws the failure when {@code violations} is not empty. */
  public static void refuse(String what, List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          new InvalidSpecException(what, violations).getMessage(), SandboxErrors.INVALID_SPEC);
    }
  }
}
