package dev.sandboxes.runtime;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;

/**
 * The platform failed a call. {@link #retryable()} says whether the same call may succeed
 * later (unreachable, throttled, 5xx) or will fail the same way (forbidden, rejected, conflict).
 */
public class PlatformException extends SandboxException {
  private final boolean retryable;

  /**
   * A failure of type {@code type} (one of {@link SandboxErrors}); {@code retryable} says whether
   * the same call may succeed later.
   */
  public PlatformException(String type, boolean retryable, String message, Throwable cause) {
    super(type, message, cause);
    this.retryable = retryable;
  }

  /**
   * A retryable failure of type {@link SandboxErrors#RUNTIME_UNAVAILABLE}: the platform could not
   * be reached or could not finish the call, and the same call may succeed later.
   */
  public static PlatformException unavailable(String message, Throwable cause) {
    return new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, true, message, cause);
  }

  /**
   * A non-retryable failure of type {@link SandboxErrors#NAME_CONFLICT}: an object of that name
   * exists but was not created for the caller (or the platform answered 409 Conflict).
   */
  public static PlatformException conflict(String message) {
    return new PlatformException(SandboxErrors.NAME_CONFLICT, false, message, null);
  }

  /** True when the same call may succeed later; false when it will fail the same way. */
  public boolean retryable() {
    return retryable;
  }
}
