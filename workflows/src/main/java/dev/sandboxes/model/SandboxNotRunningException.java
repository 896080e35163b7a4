package dev.sandboxes.model;

/** The operation needs a running sandbox, and this one is in another phase. */
public class SandboxNotRunningException extends SandboxException {
  private final SandboxPhase phase;

  public SandboxNotRunningException(String name, String operation, SandboxPhase phase) {
    super(SandboxErrors.NOT_RUNNING,
        "sandbox \"" + name + "\" is " + phase.wireName() + "; " + operation
            + " needs a running sandbox");
    this.phase = phase;
  }

  public SandboxPhase phase() {
    return phase;
  }
}
