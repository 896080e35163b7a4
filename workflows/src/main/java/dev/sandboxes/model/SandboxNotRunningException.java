package dev.sandboxes.model;

/** The operation needs a running sandbox, and this one is in another phase. */
public class SandboxNotRunningException extends SandboxException {
  private final SandboxPhase phase;

  /**
   * An error of type {@link SandboxErrors#NOT_RUNNING}: sandbox {@code name} is in {@code phase},
   * and {@code operation} (such as {@code exec}) needs a running sandbox.
   */
  public SandboxNotRunningException(String name, String operation, SandboxPhase phase) {
    super(SandboxErrors.NOT_RUNNING,
        "sandbox \"" + name + "\" is " + phase.wireName() + "; " + operation
            + " needs a running sandbox");
    this.phase = phase;
  }

  /** The sandbox is in {@code phase}; {@code message} says what that means for the operation. */
  public SandboxNotRunningException(SandboxPhase phase, String message) {
    super(SandboxErrors.NOT_RUNNING, message);
    this.phase = phase;
  }

  /** The phase the sandbox was in. */
  public SandboxPhase phase() {
    return phase;
  }
}
