package dev.sandboxes.model;

/** A sandbox of that name was created before; names are never reused, even after it ended. */
public class NameAlreadyUsedException extends SandboxException {
  /** An error of type {@link SandboxErrors#NAME_ALREADY_USED} for sandbox name {@code name}. */
  public NameAlreadyUsedException(String name) {
    super(SandboxErrors.NAME_ALREADY_USED,
        "sandbox name \"" + name + "\" is already used; sandbox names are never reused, "
            + "even after the sandbox ended");
  }
}
