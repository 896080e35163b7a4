package dev.sandboxes.runtime;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;

/**
 * The platform failed a call. {@link #retryable()} says whether the same call may succeed
 * later (unreachable, throttled, 5xx) or will fail the same way (forbidden, rejected, conflict).
 */
public class PlatformException extends SandboxException {
  private final boolean retryable;

  public PlatformException(String type, boolean retryable, String message, Throwable cause) {
    super(type, message, cause);
    this.retryable = retryable;
  }

  public static PlatformException unavailable(String message, Throwable cause) {
    return new PlatformException(SandboxErrors.RUNTIME_UNAVAILABLE, true, message, cause);
  }

  public static PlatformException conflict(String message) {
    return new PlatformException(SandboxErrors.NAME_CONFLICT, false, message, null);
  }

  public boolean retryable() {
    return retryable;
  }
}
